import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { FakeStripe } from './support/fake-stripe';
import { useStripeApp } from './support/stripe-app';
import {
  APP_ORIGIN,
  createAccount,
  signedEvent,
  STRIPE_KEY,
  STRIPE_TEST_KEY,
  SUBSCRIPTION_PRICE,
  TEST_MODE_WEBHOOK_SECRET,
  TestAccount,
  TestApp,
  WEBHOOK_SECRET,
} from './support/test-app';

/** A recurring price other than SUBSCRIPTION_PRICE, for POST /api/billing/checkout. */
const OTHER_PRICE = 'price_team_monthly';
const DAY = 86_400;

const nowSeconds = () => Math.floor(Date.now() / 1000);
const newId = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}`;

interface SubscriptionState {
  id: string;
  customer: string;
  status: string;
  priceId?: string;
  quantity?: number;
  trialEnd?: number | null;
  currentPeriodEnd?: number;
  cancelAtPeriodEnd?: boolean;
}

/** A Stripe subscription object as events carry it (API version 2026-10-28: period end on the item). */
function subscriptionObject(state: SubscriptionState): Record<string, unknown> {
  return {
    id: state.id,
    object: 'subscription',
    customer: state.customer,
    status: state.status,
    cancel_at_period_end: state.cancelAtPeriodEnd ?? false,
    trial_end: state.trialEnd ?? null,
    metadata: {},
    livemode: false,
    items: {
      object: 'list',
      data: [
        {
          id: newId('si'),
          object: 'subscription_item',
          quantity: state.quantity ?? 1,
          current_period_end: state.currentPeriodEnd ?? nowSeconds() + 30 * DAY,
          price: { id: state.priceId ?? SUBSCRIPTION_PRICE, object: 'price' },
        },
      ],
    },
  };
}

/** The subscription object with its first item changed. */
function withItem(state: Record<string, unknown>, change: Record<string, unknown>): Record<string, unknown> {
  const items = state.items as { data: Array<Record<string, unknown>> };
  return { ...state, items: { ...items, data: [{ ...items.data[0], ...change }] } };
}

/** A Stripe invoice that points at its subscription the 2026 way (parent.subscription_details). */
function invoiceObject(subscriptionId: string, customer: string, status = 'paid'): Record<string, unknown> {
  return {
    id: newId('in'),
    object: 'invoice',
    customer,
    status,
    parent: {
      type: 'subscription_details',
      quote_details: null,
      subscription_details: { subscription: subscriptionId, metadata: {} },
    },
  };
}

/** The fake's subscription state, written the way FakeStripe.putSubscription takes it. */
function putFakeSubscription(fake: FakeStripe, state: SubscriptionState) {
  return fake.putSubscription({
    id: state.id,
    customer: state.customer,
    status: state.status,
    priceId: state.priceId ?? SUBSCRIPTION_PRICE,
    quantity: state.quantity,
    trialEnd: state.trialEnd ?? null,
    currentPeriodEnd: state.currentPeriodEnd,
    cancelAtPeriodEnd: state.cancelAtPeriodEnd,
  });
}

function deliver(
  app: TestApp,
  event: { payload: string; signature?: string },
  contentType = 'application/json',
) {
  const call = app.http().post('/api/webhooks/stripe').set('content-type', contentType);
  if (event.signature !== undefined) call.set('stripe-signature', event.signature);
  return call.send(event.payload);
}

async function mySubscription(app: TestApp, account: TestAccount, testMode = false) {
  const response = await app
    .http()
    .get(`/api/subscriptions/me${testMode ? '?testMode=true' : ''}`)
    .set('x-api-key', account.apiKey)
    .expect(200);
  return response.body.subscription;
}

async function webhookEventRows(app: TestApp, id: string): Promise<number> {
  const rows = await app.db.rows(sql`SELECT id FROM webhook_events WHERE id = ${id}`);
  return rows.length;
}

async function subscriptionRows(app: TestApp, providerSubscriptionId: string): Promise<number> {
  const rows = await app.db.rows(
    sql`SELECT id FROM subscriptions WHERE provider_subscription_id = ${providerSubscriptionId}`,
  );
  return rows.length;
}

async function checkoutStatus(app: TestApp, providerSessionId: string): Promise<string | undefined> {
  const row = await app.db.first(
    sql<{
      status: string;
    }>`SELECT status FROM checkout_sessions WHERE provider_session_id = ${providerSessionId}`,
  );
  return row?.status;
}

async function trialClaimedAt(app: TestApp, accountId: string): Promise<unknown> {
  const row = await app.db.first(
    sql<{ trialClaimedAt: unknown }>`SELECT trial_claimed_at FROM accounts WHERE id = ${accountId}`,
  );
  return row?.trialClaimedAt ?? null;
}

describe('POST /api/webhooks/stripe', () => {
  const { fake, sut } = useStripeApp({
    prices: [
      { id: SUBSCRIPTION_PRICE, type: 'recurring' },
      { id: OTHER_PRICE, type: 'recurring' },
    ],
    env: { TRIAL_DAYS: '30' },
  });

  beforeEach(() => {
    fake.clearFaults();
  });

  /** An account that has started a subscription checkout, and so has a Stripe customer. */
  async function accountWithCheckout() {
    const account = await createAccount(sut);
    const response = await sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', account.apiKey)
      .send({ successUrl: `${APP_ORIGIN}/welcome` })
      .expect(200);
    const sessionId = response.body.id as string;
    const customer = fake.sessions.get(sessionId)!.customer as string;
    return { account, sessionId, customer };
  }

  function sessionRequestsOf(accountId: string) {
    return fake
      .received('POST', '/v1/checkout/sessions')
      .filter((request) => request.body.client_reference_id === accountId);
  }

  /** An account whose subscription the service knows (stored from a created event at `created`). */
  async function accountWithSubscription(
    state: Partial<SubscriptionState> = {},
    created = nowSeconds() - 600,
  ) {
    const { account, customer } = await accountWithCheckout();
    const subscription: SubscriptionState = {
      id: newId('sub'),
      customer,
      status: 'trialing',
      trialEnd: nowSeconds() + 30 * DAY,
      ...state,
    };
    putFakeSubscription(fake, subscription);
    const response = await deliver(
      sut,
      signedEvent('customer.subscription.created', subscriptionObject(subscription), { created }),
    ).expect(200);
    expect(response.body).toEqual({ received: true, outcome: 'applied' });
    return { account, customer, subscription };
  }

  describe('the whole flow', () => {
    it('should show a trialing subscription after checkout and its webhooks, then refuse a second checkout with 409', async () => {
      const before = nowSeconds();
      const { account, sessionId } = await accountWithCheckout();
      const { session, subscription } = fake.completeCheckout(sessionId);
      const subscriptionId = subscription.id;
      const customer = session.customer as string;

      const outcomes: string[] = [];
      for (const event of [
        signedEvent('customer.subscription.created', subscription),
        signedEvent('invoice.paid', invoiceObject(subscriptionId, customer)),
        signedEvent('checkout.session.completed', session),
      ]) {
        const response = await deliver(sut, event).expect(200);
        outcomes.push(response.body.outcome);
      }
      expect(outcomes).toEqual(['applied', 'applied', 'applied']);

      const mine = await mySubscription(sut, account);
      expect(mine).toEqual({
        id: subscriptionId,
        status: 'trialing',
        priceId: SUBSCRIPTION_PRICE,
        quantity: 1,
        trialEnd: expect.any(String),
        currentPeriodStart: mine.currentPeriodStart,
        currentPeriodEnd: expect.any(String),
        cancelAtPeriodEnd: false,
        cancelAt: null,
        pendingChange: null,
        mode: 'live',
        otherLiveSubscriptions: 0,
      });
      const trialEnd = Date.parse(mine.trialEnd);
      expect(new Date(trialEnd).toISOString()).toBe(mine.trialEnd);
      expect(Math.abs(trialEnd / 1000 - (before + 30 * DAY))).toBeLessThan(120);
      expect(await checkoutStatus(sut, sessionId)).toBe('complete');

      const second = await sut
        .http()
        .post('/api/subscriptions/sessions')
        .set('x-api-key', account.apiKey)
        .send({ successUrl: `${APP_ORIGIN}/welcome` })
        .expect(409);
      expect(second.body).toEqual({ error: expect.any(String) });

      const billing = await sut
        .http()
        .post('/api/billing/checkout')
        .set('x-api-key', account.apiKey)
        .send({ priceId: OTHER_PRICE, successUrl: `${APP_ORIGIN}/ok`, cancelUrl: `${APP_ORIGIN}/cancel` })
        .expect(409);
      expect(billing.body).toEqual({
        success: false,
        error: { code: 'ALREADY_SUBSCRIBED', message: expect.any(String) },
      });
      expect(sessionRequestsOf(account.accountId)).toHaveLength(1);
    });

    it('should give no second trial once the first subscription is deleted', async () => {
      const { account, sessionId } = await accountWithCheckout();
      const { session, subscription } = fake.completeCheckout(sessionId);
      const created = nowSeconds() - 120;
      await deliver(sut, signedEvent('customer.subscription.created', subscription, { created })).expect(200);
      await deliver(sut, signedEvent('checkout.session.completed', session, { created })).expect(200);

      // The deletion happens after the completion was handled (and its subscription fetched).
      const endedAt = nowSeconds() + 1;
      const canceled = { ...subscription, status: 'canceled', ended_at: endedAt };
      fake.subscriptions.set(subscription.id, canceled);
      const deleted = await deliver(
        sut,
        signedEvent('customer.subscription.deleted', canceled, { created: endedAt }),
      ).expect(200);
      expect(deleted.body.outcome).toBe('applied');
      expect((await mySubscription(sut, account)).status).toBe('canceled');

      await sut
        .http()
        .post('/api/subscriptions/sessions')
        .set('x-api-key', account.apiKey)
        .send({ successUrl: `${APP_ORIGIN}/again` })
        .expect(200);

      const [first, second] = sessionRequestsOf(account.accountId);
      expect(first.body.subscription_data).toMatchObject({ trial_period_days: '30' });
      expect(second).toBeDefined();
      expect(second.body.subscription_data).toEqual({ metadata: { accountId: account.accountId } });
      expect(await trialClaimedAt(sut, account.accountId)).not.toBeNull();
    });
  });

  describe('redeliveries', () => {
    it('should apply an event delivered five times once, answering 200 every time', async () => {
      const { account, customer } = await accountWithCheckout();
      const subscription: SubscriptionState = { id: newId('sub'), customer, status: 'active', quantity: 2 };
      const event = signedEvent('customer.subscription.created', subscriptionObject(subscription), {
        created: nowSeconds() - 60,
      });

      const outcomes: string[] = [];
      for (let delivery = 0; delivery < 5; delivery++) {
        const response = await deliver(sut, event).expect(200);
        outcomes.push(response.body.outcome);
      }

      expect(outcomes).toEqual(['applied', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
      expect(await webhookEventRows(sut, event.id)).toBe(1);
      expect(await subscriptionRows(sut, subscription.id)).toBe(1);
      expect(await mySubscription(sut, account)).toMatchObject({
        id: subscription.id,
        status: 'active',
        quantity: 2,
      });
    });

    it('should not refetch or change anything on redeliveries of an invoice event', async () => {
      const { account, customer, subscription } = await accountWithSubscription({ status: 'active' });
      putFakeSubscription(fake, { ...subscription, status: 'past_due' });
      const event = signedEvent('invoice.payment_failed', invoiceObject(subscription.id, customer, 'open'));
      const path = `/v1/subscriptions/${subscription.id}`;

      await deliver(sut, event).expect(200, { received: true, outcome: 'applied' });
      expect((await mySubscription(sut, account)).status).toBe('past_due');
      expect(fake.received('GET', path)).toHaveLength(1);

      // The provider moves on; redeliveries of the old event must not be applied again.
      putFakeSubscription(fake, { ...subscription, status: 'unpaid' });
      for (let delivery = 0; delivery < 4; delivery++) {
        await deliver(sut, event).expect(200, { received: true, outcome: 'duplicate' });
      }
      expect(fake.received('GET', path)).toHaveLength(1);
      expect((await mySubscription(sut, account)).status).toBe('past_due');
      expect(await webhookEventRows(sut, event.id)).toBe(1);
    });

    it('should apply an event delivered five times at once exactly once', async () => {
      const { customer } = await accountWithCheckout();
      const subscription: SubscriptionState = { id: newId('sub'), customer, status: 'active' };
      const event = signedEvent('customer.subscription.created', subscriptionObject(subscription));

      const responses = await Promise.all(Array.from({ length: 5 }, () => deliver(sut, event)));

      expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
      const outcomes = responses.map((response) => response.body.outcome as string).sort();
      expect(outcomes).toEqual(['applied', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
      expect(await webhookEventRows(sut, event.id)).toBe(1);
      expect(await subscriptionRows(sut, subscription.id)).toBe(1);
    });
  });

  describe('ordering', () => {
    it('should keep the newer state when events arrive in reverse order', async () => {
      const { account, customer } = await accountWithCheckout();
      const t = nowSeconds() - 300;
      const base: SubscriptionState = {
        id: newId('sub'),
        customer,
        status: 'trialing',
        trialEnd: t + 30 * DAY,
      };
      const updated = signedEvent(
        'customer.subscription.updated',
        subscriptionObject({ ...base, status: 'active', trialEnd: null, cancelAtPeriodEnd: true }),
        { created: t + 10 },
      );
      const created = signedEvent('customer.subscription.created', subscriptionObject(base), { created: t });

      await deliver(sut, updated).expect(200, { received: true, outcome: 'applied' });
      await deliver(sut, created).expect(200, { received: true, outcome: 'applied' });

      expect(await mySubscription(sut, account)).toMatchObject({
        id: base.id,
        status: 'active',
        cancelAtPeriodEnd: true,
        trialEnd: null,
      });
      expect(await webhookEventRows(sut, created.id)).toBe(1);
    });

    it('should not apply an older updated event after a newer one', async () => {
      const { account, subscription } = await accountWithSubscription({}, nowSeconds() - 600);
      const t = nowSeconds() - 300;
      const newer = signedEvent(
        'customer.subscription.updated',
        subscriptionObject({ ...subscription, status: 'past_due', trialEnd: null, quantity: 4 }),
        { created: t + 20 },
      );
      const older = signedEvent(
        'customer.subscription.updated',
        subscriptionObject({ ...subscription, status: 'active', trialEnd: null, quantity: 2 }),
        { created: t + 5 },
      );

      await deliver(sut, newer).expect(200);
      await deliver(sut, older).expect(200);

      expect(await mySubscription(sut, account)).toMatchObject({ status: 'past_due', quantity: 4 });
    });

    it('should settle two events of the same second by fetching the subscription from the provider', async () => {
      const { account, customer } = await accountWithCheckout();
      const t = nowSeconds() - 120;
      const base: SubscriptionState = {
        id: newId('sub'),
        customer,
        status: 'trialing',
        trialEnd: t + 30 * DAY,
      };
      const path = `/v1/subscriptions/${base.id}`;
      // What the provider says now: neither of the two events' states.
      putFakeSubscription(fake, { ...base, status: 'active', trialEnd: null, quantity: 3 });

      await deliver(
        sut,
        signedEvent('customer.subscription.created', subscriptionObject(base), { created: t }),
      ).expect(200);
      expect(fake.received('GET', path)).toHaveLength(0);
      expect((await mySubscription(sut, account)).status).toBe('trialing');

      await deliver(
        sut,
        signedEvent(
          'customer.subscription.updated',
          subscriptionObject({ ...base, status: 'active', trialEnd: null, quantity: 2 }),
          { created: t },
        ),
      ).expect(200, { received: true, outcome: 'applied' });

      expect(fake.received('GET', path)).toHaveLength(1);
      expect(await mySubscription(sut, account)).toMatchObject({
        status: 'active',
        quantity: 3,
        trialEnd: null,
      });
    });

    it('should settle a same-second tie on the redelivery when the provider could not be reached the first time', async () => {
      const { account, customer } = await accountWithCheckout();
      const t = nowSeconds() - 120;
      const base: SubscriptionState = {
        id: newId('sub'),
        customer,
        status: 'trialing',
        trialEnd: t + 30 * DAY,
      };
      putFakeSubscription(fake, { ...base, status: 'active', trialEnd: null, quantity: 3 });
      await deliver(
        sut,
        signedEvent('customer.subscription.created', subscriptionObject(base), { created: t }),
      ).expect(200);

      const tie = signedEvent(
        'customer.subscription.updated',
        subscriptionObject({ ...base, status: 'active', trialEnd: null, quantity: 2 }),
        { created: t },
      );
      fake.injectFault(
        { kind: 'status', status: 500, retryHeader: false },
        { method: 'GET', path: /^\/v1\/subscriptions\// },
      );
      const failed = await deliver(sut, tie);
      expect(failed.status).toBe(500);

      // Stripe retries a 500: the retry must do what the first delivery could not.
      const retried = await deliver(sut, tie).expect(200);
      expect(await mySubscription(sut, account)).toMatchObject({ status: 'active', quantity: 3 });
      expect(retried.body.outcome).toBe('applied');
    });

    it('should order fetched state and event state on the provider’s clock, however far behind it is', async () => {
      fake.clockSkewMs = -10_000;
      try {
        const { account, customer } = await accountWithCheckout();
        const subscription: SubscriptionState = { id: newId('sub'), customer, status: 'active' };
        putFakeSubscription(fake, subscription);
        const providerNow = () => Math.floor((Date.now() + fake.clockSkewMs) / 1000);

        // The invoice makes the service fetch the subscription: that state is as of the provider's answer.
        await deliver(
          sut,
          signedEvent('invoice.paid', invoiceObject(subscription.id, customer), { created: providerNow() }),
        ).expect(200, { received: true, outcome: 'applied' });
        expect(await mySubscription(sut, account)).toMatchObject({ status: 'active' });

        // Five seconds later by the provider's clock, still before this machine's "now", it is deleted.
        putFakeSubscription(fake, { ...subscription, status: 'canceled' });
        const deletion = signedEvent(
          'customer.subscription.deleted',
          subscriptionObject({ ...subscription, status: 'canceled' }),
          { created: providerNow() + 5 },
        );
        await deliver(sut, deletion).expect(200, { received: true, outcome: 'applied' });

        expect(await mySubscription(sut, account)).toMatchObject({ status: 'canceled' });
      } finally {
        fake.clockSkewMs = 0;
      }
    });

    it('should not let an event older than a refetch overwrite the refetched state', async () => {
      const { account, customer, subscription } = await accountWithSubscription(
        { status: 'active', trialEnd: null },
        nowSeconds() - 600,
      );
      // The provider's state now: past_due. The invoice event is a minute old, so the state fetched
      // for it is newer than anything that happened before the fetch.
      putFakeSubscription(fake, { ...subscription, status: 'past_due' });
      await deliver(
        sut,
        signedEvent('invoice.payment_failed', invoiceObject(subscription.id, customer, 'open'), {
          created: nowSeconds() - 60,
        }),
      ).expect(200);
      expect((await mySubscription(sut, account)).status).toBe('past_due');

      // An update from before the fetch (30 seconds ago) arrives late.
      await deliver(
        sut,
        signedEvent(
          'customer.subscription.updated',
          subscriptionObject({ ...subscription, status: 'active' }),
          {
            created: nowSeconds() - 30,
          },
        ),
      ).expect(200);

      expect((await mySubscription(sut, account)).status).toBe('past_due');
    });
  });

  describe('event types', () => {
    it('should store past_due from invoice.payment_failed by refetching the subscription', async () => {
      const { account, customer, subscription } = await accountWithSubscription({
        status: 'active',
        trialEnd: null,
      });
      expect((await mySubscription(sut, account)).status).toBe('active');
      putFakeSubscription(fake, { ...subscription, status: 'past_due', quantity: 1 });

      await deliver(
        sut,
        signedEvent('invoice.payment_failed', invoiceObject(subscription.id, customer, 'open')),
      ).expect(200, { received: true, outcome: 'applied' });

      expect(fake.received('GET', `/v1/subscriptions/${subscription.id}`)).toHaveLength(1);
      expect(await mySubscription(sut, account)).toMatchObject({ id: subscription.id, status: 'past_due' });
    });

    it('should expire the checkout on checkout.session.expired and give its trial back', async () => {
      const { account, sessionId } = await accountWithCheckout();
      expect(await trialClaimedAt(sut, account.accountId)).not.toBeNull();
      const session = fake.sessions.get(sessionId)!;
      session.status = 'expired';

      await deliver(sut, signedEvent('checkout.session.expired', fake.publicObject(session))).expect(200, {
        received: true,
        outcome: 'applied',
      });

      expect(await checkoutStatus(sut, sessionId)).toBe('expired');
      expect(await trialClaimedAt(sut, account.accountId)).toBeNull();

      const next = await sut
        .http()
        .post('/api/subscriptions/sessions')
        .set('x-api-key', account.apiKey)
        .send({ successUrl: `${APP_ORIGIN}/welcome` })
        .expect(200);
      expect(next.body.id).not.toBe(sessionId);
      const requests = sessionRequestsOf(account.accountId);
      expect(requests).toHaveLength(2);
      expect(requests[1].body.subscription_data).toMatchObject({ trial_period_days: '30' });
    });

    it('should keep the trial used when an expired event comes for a checkout that was completed', async () => {
      const { account, sessionId } = await accountWithCheckout();
      const { session, subscription } = fake.completeCheckout(sessionId);
      await deliver(sut, signedEvent('customer.subscription.created', subscription)).expect(200);
      await deliver(sut, signedEvent('checkout.session.completed', session)).expect(200);

      await deliver(sut, signedEvent('checkout.session.expired', { ...session, status: 'expired' })).expect(
        200,
      );

      expect(await checkoutStatus(sut, sessionId)).toBe('complete');
      expect(await trialClaimedAt(sut, account.accountId)).not.toBeNull();
    });

    it('should acknowledge an event type the service does not use with 200 ignored', async () => {
      const event = signedEvent('customer.created', { id: newId('cus'), object: 'customer' });

      const response = await deliver(sut, event).expect(200);

      expect(response.body).toEqual({ received: true, outcome: 'ignored' });
    });

    it('should accept a JSON content type with a charset', async () => {
      const { account, customer } = await accountWithCheckout();
      const subscription: SubscriptionState = { id: newId('sub'), customer, status: 'active' };
      const event = signedEvent('customer.subscription.created', subscriptionObject(subscription));

      await deliver(sut, event, 'application/json; charset=utf-8').expect(200, {
        received: true,
        outcome: 'applied',
      });

      expect((await mySubscription(sut, account)).id).toBe(subscription.id);
    });

    it('should acknowledge a subscription of a customer that is not ours and store nothing', async () => {
      const subscription: SubscriptionState = { id: newId('sub'), customer: newId('cus'), status: 'active' };
      const event = signedEvent('customer.subscription.created', subscriptionObject(subscription));

      await deliver(sut, event).expect(200);

      expect(await subscriptionRows(sut, subscription.id)).toBe(0);
    });
  });

  describe('signatures', () => {
    const defects: Array<
      [string, (event: { payload: string; id: string }) => { payload: string; signature?: string }]
    > = [
      [
        'signed with a wrong secret',
        ({ payload }) => ({ payload, signature: resign(payload, 'whsec_someone_else') }),
      ],
      [
        'signed with the test-mode secret while test mode is not configured',
        ({ payload }) => ({ payload, signature: resign(payload, TEST_MODE_WEBHOOK_SECRET) }),
      ],
      [
        'with a body changed after signing',
        ({ payload }) => {
          const tampered = payload.replace('"status":"canceled"', '"status":"active"');
          if (tampered === payload) throw new Error('the payload was not changed');
          return { payload: tampered, signature: resign(payload, WEBHOOK_SECRET) };
        },
      ],
      ['without a Stripe-Signature header', ({ payload }) => ({ payload })],
      ['with a malformed Stripe-Signature header', ({ payload }) => ({ payload, signature: 'garbage' })],
      [
        'signed six minutes ago',
        ({ payload }) => ({ payload, signature: resign(payload, WEBHOOK_SECRET, nowSeconds() - 360) }),
      ],
    ];

    it.each(defects)('should answer 400 {error} and write nothing for an event %s', async (_name, defect) => {
      const { account, subscription } = await accountWithSubscription({ status: 'active', trialEnd: null });
      const event = signedEvent(
        'customer.subscription.deleted',
        subscriptionObject({ ...subscription, status: 'canceled' }),
      );
      const delivery = defect(event);
      expect(delivery.payload).toContain(event.id);

      const response = await deliver(sut, delivery);

      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: expect.any(String) });
      expect(await webhookEventRows(sut, event.id)).toBe(0);
      expect((await mySubscription(sut, account)).status).toBe('active');
    });

    it('should accept an event signed four minutes ago (inside the five-minute tolerance)', async () => {
      const { account, subscription } = await accountWithSubscription({ status: 'active', trialEnd: null });
      const event = signedEvent(
        'customer.subscription.deleted',
        subscriptionObject({ ...subscription, status: 'canceled' }),
        { timestamp: nowSeconds() - 240 },
      );

      await deliver(sut, event).expect(200, { received: true, outcome: 'applied' });

      expect((await mySubscription(sut, account)).status).toBe('canceled');
    });
  });

  describe('data that can never be applied', () => {
    const recorded = (id: string) =>
      sut.db.first(
        sql<{
          outcome: string;
          reason: string | null;
        }>`SELECT outcome, reason FROM webhook_events WHERE id = ${id}`,
      );

    it.each<[string, (state: Record<string, unknown>) => Record<string, unknown>, RegExp]>([
      ['no status', ({ status: _status, ...rest }) => rest, /status/],
      ['a 300-character status', (state) => ({ ...state, status: 'a'.repeat(300) }), /status/],
      ['an unreadable quantity', (state) => withItem(state, { quantity: 'lots' }), /quantity/],
      ['a trial end far past any calendar', (state) => ({ ...state, trial_end: 1e15 }), /trial_end/],
      [
        'a 300-character subscription id',
        (state) => ({ ...state, id: `sub_${'x'.repeat(300)}` }),
        /subscription id/,
      ],
    ])(
      'should record an event with %s as rejected, with the reason, answer 200 and store nothing',
      async (_label, spoil, reason) => {
        const { customer } = await accountWithCheckout();
        const state = subscriptionObject({ id: newId('sub'), customer, status: 'active' });
        const event = signedEvent('customer.subscription.updated', spoil(state));

        const response = await deliver(sut, event).expect(200);

        expect(response.body).toEqual({ received: true, outcome: 'rejected' });
        expect(await recorded(event.id)).toEqual({
          outcome: 'rejected',
          reason: expect.stringMatching(reason),
        });
        expect(await subscriptionRows(sut, String(state.id))).toBe(0);
        await deliver(sut, event).expect(200, { received: true, outcome: 'duplicate' });
      },
    );

    it('should record an event whose id is too long to keep under a digest of it, and know its redelivery', async () => {
      const { customer } = await accountWithCheckout();
      const state = subscriptionObject({ id: newId('sub'), customer, status: 'active' });
      const event = signedEvent('customer.subscription.updated', state, { id: `evt_${'y'.repeat(300)}` });

      await deliver(sut, event).expect(200, { received: true, outcome: 'rejected' });
      await deliver(sut, event).expect(200, { received: true, outcome: 'duplicate' });

      const rows = await sut.db.rows(
        sql<{
          id: string;
          reason: string;
        }>`SELECT id, reason FROM webhook_events WHERE outcome = 'rejected' AND id LIKE 'sha256:%'`,
      );
      expect(rows).toEqual([
        { id: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), reason: expect.stringMatching(/event id/) },
      ]);
      expect(await subscriptionRows(sut, String(state.id))).toBe(0);
    });

    it('should reject an invoice event whose subscription, fetched from the provider, cannot be stored', async () => {
      const { customer } = await accountWithCheckout();
      const subscription: SubscriptionState = { id: newId('sub'), customer, status: 'active' };
      putFakeSubscription(fake, { ...subscription, status: 'z'.repeat(300) });
      const event = signedEvent('invoice.paid', invoiceObject(subscription.id, customer));

      await deliver(sut, event).expect(200, { received: true, outcome: 'rejected' });

      expect(await recorded(event.id)).toEqual({
        outcome: 'rejected',
        reason: expect.stringMatching(/status/),
      });
      expect(await subscriptionRows(sut, subscription.id)).toBe(0);
    });
  });

  describe('failures', () => {
    it('should answer 500 and record nothing when the event cannot be stored, then apply the redelivery', async () => {
      const { account, customer } = await accountWithCheckout();
      const subscription: SubscriptionState = { id: newId('sub'), customer, status: 'active', quantity: 5 };
      const event = signedEvent('customer.subscription.created', subscriptionObject(subscription));

      await sut.db.changes(sql`ALTER TABLE subscriptions RENAME TO subscriptions_moved`);
      let failed;
      try {
        failed = await deliver(sut, event);
      } finally {
        await sut.db.changes(sql`ALTER TABLE subscriptions_moved RENAME TO subscriptions`);
      }
      expect(failed.status).toBe(500);
      expect(failed.body).toEqual({ error: expect.any(String) });
      expect(await webhookEventRows(sut, event.id)).toBe(0);
      expect(await subscriptionRows(sut, subscription.id)).toBe(0);

      await deliver(sut, event).expect(200, { received: true, outcome: 'applied' });
      expect(await webhookEventRows(sut, event.id)).toBe(1);
      expect(await mySubscription(sut, account)).toMatchObject({ id: subscription.id, quantity: 5 });
    });

    it('should answer 500 and record nothing when a checkout completion cannot be stored', async () => {
      const { account, sessionId } = await accountWithCheckout();
      const { session } = fake.completeCheckout(sessionId);
      const event = signedEvent('checkout.session.completed', session);

      await sut.db.changes(sql`ALTER TABLE subscriptions RENAME TO subscriptions_moved`);
      let failed;
      try {
        failed = await deliver(sut, event);
      } finally {
        await sut.db.changes(sql`ALTER TABLE subscriptions_moved RENAME TO subscriptions`);
      }
      expect(failed.status).toBe(500);
      expect(await webhookEventRows(sut, event.id)).toBe(0);
      expect(await checkoutStatus(sut, sessionId)).toBe('open');

      await deliver(sut, event).expect(200, { received: true, outcome: 'applied' });
      expect(await checkoutStatus(sut, sessionId)).toBe('complete');
      expect((await mySubscription(sut, account)).status).toBe('trialing');
    });

    it('should answer 500 and record nothing when the provider fails the refetch, then apply the redelivery', async () => {
      const { account, customer, subscription } = await accountWithSubscription({
        status: 'active',
        trialEnd: null,
      });
      putFakeSubscription(fake, { ...subscription, status: 'past_due' });
      const event = signedEvent('invoice.payment_failed', invoiceObject(subscription.id, customer, 'open'));
      fake.injectFault(
        { kind: 'status', status: 500, retryHeader: false },
        { method: 'GET', path: /^\/v1\/subscriptions\// },
      );

      const failed = await deliver(sut, event);

      expect(failed.status).toBe(500);
      expect(failed.body).toEqual({ error: expect.any(String) });
      expect(await webhookEventRows(sut, event.id)).toBe(0);
      expect((await mySubscription(sut, account)).status).toBe('active');

      await deliver(sut, event).expect(200, { received: true, outcome: 'applied' });
      expect((await mySubscription(sut, account)).status).toBe('past_due');
    });
  });
});

describe('POST /api/webhooks/stripe with test-mode credentials', () => {
  const { fake, sut } = useStripeApp({
    prices: [
      { id: SUBSCRIPTION_PRICE, type: 'recurring' },
      { id: OTHER_PRICE, type: 'recurring' },
    ],
    env: { STRIPE_TEST_SECRET_KEY: STRIPE_TEST_KEY, STRIPE_TEST_WEBHOOK_SECRET: TEST_MODE_WEBHOOK_SECRET },
  });

  /** An account with a test-mode Stripe customer, made through a test-mode checkout. */
  async function accountWithTestCustomer() {
    const account = await createAccount(sut);
    const response = await sut
      .http()
      .post('/api/billing/checkout?testMode=true')
      .set('x-api-key', account.apiKey)
      .send({ priceId: OTHER_PRICE, successUrl: `${APP_ORIGIN}/ok`, cancelUrl: `${APP_ORIGIN}/cancel` })
      .expect(200);
    const customer = fake.sessions.get(response.body.data.sessionId as string)!.customer as string;
    expect(
      fake.received('POST', '/v1/customers').find((call) => call.apiKey === STRIPE_TEST_KEY),
    ).toBeDefined();
    return { account, customer };
  }

  it('should store an event signed with the test-mode secret as test-mode state', async () => {
    const { account, customer } = await accountWithTestCustomer();
    const subscription: SubscriptionState = {
      id: newId('sub'),
      customer,
      status: 'active',
      priceId: OTHER_PRICE,
    };
    const event = signedEvent('customer.subscription.created', subscriptionObject(subscription), {
      secret: TEST_MODE_WEBHOOK_SECRET,
    });

    await deliver(sut, event).expect(200, { received: true, outcome: 'applied' });

    expect(await mySubscription(sut, account, true)).toMatchObject({
      id: subscription.id,
      status: 'active',
      priceId: OTHER_PRICE,
      mode: 'test',
    });
    expect(await mySubscription(sut, account)).toBeNull();
  });

  it('should refetch with the test-mode key for a test-mode invoice event', async () => {
    const { account, customer } = await accountWithTestCustomer();
    const subscription: SubscriptionState = {
      id: newId('sub'),
      customer,
      status: 'past_due',
      priceId: OTHER_PRICE,
    };
    putFakeSubscription(fake, subscription);

    await deliver(
      sut,
      signedEvent('invoice.payment_failed', invoiceObject(subscription.id, customer, 'open'), {
        secret: TEST_MODE_WEBHOOK_SECRET,
      }),
    ).expect(200, { received: true, outcome: 'applied' });

    const fetches = fake.received('GET', `/v1/subscriptions/${subscription.id}`);
    expect(fetches.map((call) => call.apiKey)).toEqual([STRIPE_TEST_KEY]);
    expect(await mySubscription(sut, account, true)).toMatchObject({ status: 'past_due', mode: 'test' });
    expect(fake.received('GET', /^\/v1\/subscriptions\//).some((call) => call.apiKey === STRIPE_KEY)).toBe(
      false,
    );
  });

  it('should still accept events signed with the live secret', async () => {
    const event = signedEvent('customer.created', { id: newId('cus'), object: 'customer' });

    await deliver(sut, event).expect(200, { received: true, outcome: 'ignored' });
  });
});

/** A Stripe-Signature header for a payload, as signedEvent makes them. */
function resign(payload: string, secret: string, timestamp?: number): string {
  const parsed = JSON.parse(payload) as {
    id: string;
    type: string;
    created: number;
    data: { object: Record<string, unknown> };
  };
  const again = signedEvent(parsed.type, parsed.data.object, {
    id: parsed.id,
    created: parsed.created,
    secret,
    timestamp,
  });
  if (again.payload !== payload) throw new Error('resign: the payload would differ');
  return again.signature;
}
