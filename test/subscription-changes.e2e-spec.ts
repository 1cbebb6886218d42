import { sql } from 'kysely';
import request from 'supertest';
import { useStripeApp } from './support/stripe-app';
import { APP_ORIGIN, createAccount, signedEvent, TestAccount } from './support/test-app';

const DAY = 86_400;
const MONTHLY = 'price_pro_monthly';
const YEARLY = 'price_pro_yearly';
const EURO = 'price_pro_monthly_eur';
const CREDITS = 'price_credits';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Changing a subscription through the API, with the Stripe provider against the Stripe-shaped
 * test server (the real SDK over HTTP): change checkouts and their estimates, confirming once,
 * scheduled downgrades, cancel and resume, and every refusal (docs/guarantees.md#g11).
 */
describe('Subscription changes (Stripe)', () => {
  const { fake, sut, account } = useStripeApp({
    prices: [
      { id: MONTHLY, unitAmount: 1500, interval: 'month', productName: 'Pro' },
      { id: YEARLY, unitAmount: 15_000, interval: 'year', productName: 'Pro' },
      { id: EURO, unitAmount: 1500, interval: 'month', currency: 'eur', productName: 'Pro (EUR)' },
      { id: CREDITS, type: 'one_time', unitAmount: 5000, productName: 'Credits' },
    ],
    perTest: true,
  });

  beforeEach(() => {
    fake.clearFaults();
    fake.failPayments.clear();
    fake.portalPrices = null;
  });

  const deliver = async (type: string, object: Record<string, unknown>) => {
    const event = signedEvent(type, object);
    await sut
      .http()
      .post('/api/webhooks/stripe')
      .set('stripe-signature', event.signature)
      .set('content-type', 'application/json')
      .send(event.payload)
      .expect(200);
  };

  const me = async (who: TestAccount = account) =>
    (await sut.http().get('/api/subscriptions/me').set('x-api-key', who.apiKey).expect(200)).body
      .subscription as Body;

  /** Subscribes the account through a checkout, on day 10 of a 30-day period; returns its id. */
  async function subscribe(
    options: {
      priceId?: string;
      quantity?: number;
      status?: string;
      trialDays?: number;
      who?: TestAccount;
    } = {},
  ): Promise<string> {
    const who = options.who ?? account;
    const started = await sut
      .http()
      .post('/api/billing/checkout')
      .set('x-api-key', who.apiKey)
      .send({
        priceId: options.priceId ?? MONTHLY,
        quantity: options.quantity ?? 1,
        successUrl: `${APP_ORIGIN}/ok`,
        cancelUrl: `${APP_ORIGIN}/pricing`,
      })
      .expect(200);
    const now = Math.floor(Date.now() / 1000);
    const start = now - 10 * DAY;
    const trialEnd = options.trialDays ? now + options.trialDays * DAY : null;
    const { subscription } = fake.completeCheckout(started.body.data.sessionId, {
      status: options.status ?? (trialEnd ? 'trialing' : 'active'),
      trialEnd,
      currentPeriodStart: start,
      currentPeriodEnd: trialEnd ?? start + 30 * DAY,
    });
    await deliver('customer.subscription.created', subscription);
    return subscription.id;
  }

  const change = (body: Body, who: TestAccount = account) =>
    sut
      .http()
      .post('/api/billing/checkout')
      .set('x-api-key', who.apiKey)
      .send({
        successUrl: `${APP_ORIGIN}/changed?session={CHECKOUT_SESSION_ID}`,
        cancelUrl: `${APP_ORIGIN}/plans`,
        ...body,
      });

  const confirm = (sessionId: string, who: TestAccount = account): request.Test =>
    sut.http().post(`/api/billing/checkout/${sessionId}/confirm`).set('x-api-key', who.apiKey);

  /** What releasing a schedule in the dashboard does at Stripe: the schedule object afterwards. */
  const releaseInDashboard = async (scheduleId: string) => {
    const response = await fetch(`${fake.url}/v1/subscription_schedules/${scheduleId}/release`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_e2elivekey' },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };

  const updates = (subscriptionId: string) => fake.received('POST', `/v1/subscriptions/${subscriptionId}`);

  describe('plan change and quantity update, applied now', () => {
    it('should preview monthly → yearly on day 10 of 30 and charge exactly that when confirmed', async () => {
      const subscriptionId = await subscribe();
      const preview = await change({ subscriptionId, priceId: YEARLY }).expect(200);
      const data = preview.body.data as Body;
      expect(preview.body.success).toBe(true);
      expect(data).toMatchObject({ type: 'plan_change', timing: 'immediate', status: 'open' });
      expect(data.sessionId).toMatch(/^chg_/);
      expect(data.url).toMatch(/^https:\/\/billing\.stripe\.test\//);
      const current = data.estimates.currentInvoice as Body;
      const credit = current.lines.find((line: Body) => line.amount < 0);
      expect(credit).toMatchObject({ proration: true, quantity: 1 });
      // Two thirds of the month are unused (to the second): about 1000 cents back.
      expect(Math.abs(credit.amount + 1000)).toBeLessThanOrEqual(40);
      expect(current.lines.some((line: Body) => line.amount === 15_000)).toBe(true);
      expect(current.amountDue).toBe(15_000 + credit.amount);
      expect(data.estimates.nextInvoice).toMatchObject({ amountDue: 15_000, currency: 'usd' });
      // A preview changes nothing.
      expect(updates(subscriptionId)).toHaveLength(0);
      expect(await me()).toMatchObject({ priceId: MONTHLY });
      const read = await sut
        .http()
        .get(`/api/billing/checkout/${data.sessionId}`)
        .set('x-api-key', account.apiKey)
        .expect(200);
      expect(read.body.data).toEqual(data);

      const confirmed = await confirm(data.sessionId).expect(200);
      expect(confirmed.body.data).toMatchObject({ status: 'applied', subscription: { priceId: YEARLY } });
      const [update] = updates(subscriptionId);
      const [previewCall] = fake.received('POST', '/v1/invoices/create_preview');
      expect(update.body.proration_date).toBe((previewCall.body.subscription_details as Body).proration_date);
      expect(update.body).toMatchObject({
        proration_behavior: 'always_invoice',
        payment_behavior: 'pending_if_incomplete',
      });
      expect(update.idempotencyKey).toMatch(/^change-/);
      const invoice = [...fake.invoices.values()].find(
        (candidate) => (candidate.parent as Body).subscription_details.subscription === subscriptionId,
      )!;
      expect(invoice.amount_due).toBe(current.amountDue);
      expect(await me()).toMatchObject({ priceId: YEARLY, quantity: 1 });

      // Used at most once: a second confirmation changes nothing.
      const again = await confirm(data.sessionId).expect(409);
      expect(again.body.error).toMatchObject({ code: 'CHECKOUT_NOT_OPEN' });
      expect(updates(subscriptionId)).toHaveLength(1);
    });

    it('should preview and apply 3 → 5 seats as a quantity update, and the webhook of that change changes nothing more', async () => {
      const subscriptionId = await subscribe({ quantity: 3 });
      const preview = await change({ subscriptionId, quantity: 5 }).expect(200);
      const data = preview.body.data as Body;
      expect(data).toMatchObject({
        type: 'quantity_update',
        timing: 'immediate',
        to: { priceId: MONTHLY, quantity: 5 },
      });
      const lines = data.estimates.currentInvoice.lines as Body[];
      expect(lines).toHaveLength(2);
      const [credit, charge] = [...lines].sort((a, b) => a.amount - b.amount);
      expect(Math.abs(credit.amount + 3000)).toBeLessThanOrEqual(120);
      expect(Math.abs(charge.amount - 5000)).toBeLessThanOrEqual(200);
      expect(data.estimates.nextInvoice).toMatchObject({ amountDue: 7500 });

      await confirm(data.sessionId).expect(200);
      expect(await me()).toMatchObject({ quantity: 5 });
      await deliver('customer.subscription.updated', fake.subscriptions.get(subscriptionId)!);
      expect(await me()).toMatchObject({ quantity: 5, priceId: MONTHLY });
      expect(updates(subscriptionId)).toHaveLength(1);
    });

    it('should keep a running trial unless asked, and say so in the preview', async () => {
      const subscriptionId = await subscribe({ trialDays: 7 });
      const trialEnd = fake.subscriptions.get(subscriptionId)!.trial_end as number;
      const preview = await change({ subscriptionId, quantity: 2 }).expect(200);
      expect(preview.body.data.trial).toEqual({
        effect: 'kept',
        endsAt: new Date(trialEnd * 1000).toISOString(),
      });
      expect(preview.body.data.estimates.currentInvoice.amountDue).toBe(0);
      await confirm(preview.body.data.sessionId).expect(200);
      expect(Number(updates(subscriptionId)[0].body.trial_end)).toBe(trialEnd);
      expect(await me()).toMatchObject({ status: 'trialing', quantity: 2 });
      const trials = await sut.db.rows(
        sql`SELECT trial_claimed_at FROM accounts WHERE id = ${account.accountId} AND trial_claimed_at IS NOT NULL`,
      );
      expect(trials).toHaveLength(1);
    });

    it('should answer 402 with the invoice to pay when the charge fails, and keep the old terms', async () => {
      const subscriptionId = await subscribe();
      fake.failPayments.add(fake.subscriptions.get(subscriptionId)!.customer as string);
      const preview = await change({ subscriptionId, priceId: YEARLY }).expect(200);
      const failed = await confirm(preview.body.data.sessionId).expect(402);
      expect(failed.body).toMatchObject({ success: false, error: { code: 'PAYMENT_FAILED' } });
      expect(failed.body.error.details.invoiceUrl).toMatch(/^https?:\/\//);
      expect(await me()).toMatchObject({ priceId: MONTHLY });
      const read = await sut
        .http()
        .get(`/api/billing/checkout/${preview.body.data.sessionId}`)
        .set('x-api-key', account.apiKey)
        .expect(200);
      expect(read.body.data.status).toBe('payment_failed');
    });
  });

  describe('scheduled downgrades', () => {
    it('should schedule fewer seats for the period end, show it in me, and let it be withdrawn', async () => {
      const subscriptionId = await subscribe({ quantity: 5 });
      const periodEnd = new Date(
        (fake.subscriptions.get(subscriptionId)!.items as Body).data[0].current_period_end * 1000,
      );
      const preview = await change({ subscriptionId, quantity: 3 }).expect(200);
      expect(preview.body.data).toMatchObject({ timing: 'period_end', effectiveAt: periodEnd.toISOString() });
      expect(preview.body.data.estimates.currentInvoice).toMatchObject({ amountDue: 0, lines: [] });
      expect(preview.body.data.estimates.nextInvoice).toMatchObject({
        amountDue: 4500,
        date: periodEnd.toISOString(),
      });

      const confirmed = await confirm(preview.body.data.sessionId).expect(200);
      expect(confirmed.body.data.status).toBe('scheduled');
      expect(await me()).toMatchObject({
        quantity: 5,
        pendingChange: { priceId: MONTHLY, quantity: 3, effectiveAt: periodEnd.toISOString() },
      });
      const scheduleId = fake.subscriptions.get(subscriptionId)!.schedule as string;
      expect(scheduleId).toBeTruthy();
      expect(fake.schedules.get(scheduleId)!.metadata).toMatchObject({
        changeId: preview.body.data.sessionId,
      });

      const withdrawn = await sut
        .http()
        .delete('/api/subscriptions/pending-change')
        .set('x-api-key', account.apiKey)
        .expect(200);
      expect(withdrawn.body.subscription).toMatchObject({ quantity: 5, pendingChange: null });
      expect(fake.schedules.get(scheduleId)!.status).toBe('released');
      await sut
        .http()
        .delete('/api/subscriptions/pending-change')
        .set('x-api-key', account.apiKey)
        .expect(404);
    });

    it('should apply a scheduled downgrade when the period ends at the provider', async () => {
      const subscriptionId = await subscribe({ priceId: YEARLY });
      const preview = await change({ subscriptionId, priceId: MONTHLY }).expect(200);
      expect(preview.body.data.timing).toBe('period_end');
      await confirm(preview.body.data.sessionId).expect(200);
      // Another change while one is scheduled: withdraw it first.
      const blocked = await change({ subscriptionId, quantity: 2 }).expect(409);
      expect(blocked.body.error).toMatchObject({
        code: 'SUBSCRIPTION_NOT_CHANGEABLE',
        details: { reason: 'pending_change' },
      });

      const renewed = fake.advanceToPeriodEnd(subscriptionId);
      await deliver('customer.subscription.updated', renewed);
      expect(await me()).toMatchObject({ priceId: MONTHLY, pendingChange: null });
      const read = await sut
        .http()
        .get(`/api/billing/checkout/${preview.body.data.sessionId}`)
        .set('x-api-key', account.apiKey)
        .expect(200);
      expect(read.body.data.status).toBe('applied');
    });

    it('should withdraw the scheduled change when its schedule is released at the provider', async () => {
      const subscriptionId = await subscribe({ quantity: 5 });
      const preview = await change({ subscriptionId, quantity: 3 }).expect(200);
      await confirm(preview.body.data.sessionId).expect(200);
      const scheduleId = fake.subscriptions.get(subscriptionId)!.schedule as string;
      // Released in the dashboard: Stripe's event names the schedule; the service fetches the subscription.
      const release = await releaseInDashboard(scheduleId);
      await deliver('subscription_schedule.released', release);
      expect(await me()).toMatchObject({ quantity: 5, pendingChange: null });
      const read = await sut
        .http()
        .get(`/api/billing/checkout/${preview.body.data.sessionId}`)
        .set('x-api-key', account.apiKey)
        .expect(200);
      expect(read.body.data.status).toBe('withdrawn');
    });

    it('should follow timing when the caller gives it', async () => {
      const subscriptionId = await subscribe({ quantity: 5 });
      const preview = await change({ subscriptionId, quantity: 3, timing: 'immediate' }).expect(200);
      expect(preview.body.data.timing).toBe('immediate');
      expect(preview.body.data.estimates.currentInvoice.total).toBeLessThan(0);
      await confirm(preview.body.data.sessionId).expect(200);
      expect(await me()).toMatchObject({ quantity: 3, pendingChange: null });
    });
  });

  describe('options and callers', () => {
    it('should end a running trial with the change when asked, charging the new terms now', async () => {
      const subscriptionId = await subscribe({ trialDays: 7 });
      const preview = await change({ subscriptionId, priceId: YEARLY, endTrial: true }).expect(200);
      expect(preview.body.data.trial.effect).toBe('ended');
      expect(preview.body.data.estimates.currentInvoice.amountDue).toBe(15_000);
      await confirm(preview.body.data.sessionId).expect(200);
      expect(updates(subscriptionId)[0].body.trial_end).toBe('now');
      expect(await me()).toMatchObject({ status: 'active', priceId: YEARLY });
    });

    it('should replay a confirmation under the same Idempotency-Key instead of refusing it', async () => {
      const subscriptionId = await subscribe();
      const preview = await change({ subscriptionId, quantity: 2 }).expect(200);
      const first = await confirm(preview.body.data.sessionId)
        .set('idempotency-key', 'confirm-once')
        .expect(200);
      const again = await confirm(preview.body.data.sessionId)
        .set('idempotency-key', 'confirm-once')
        .expect(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(updates(subscriptionId)).toHaveLength(1);
    });

    it('should let an admin with a grant change, cancel and resume for another account, and refuse a plain key', async () => {
      const subscriptionId = await subscribe();
      const admin = await createAccount(sut, { scopes: ['admin'] });
      await sut.admin.addGrant(admin.accountId, account.accountId);
      const plain = await createAccount(sut);
      const forAccount = { accountId: account.accountId };

      await sut
        .http()
        .post('/api/subscriptions/cancel')
        .set('x-api-key', plain.apiKey)
        .send(forAccount)
        .expect(403);
      const canceled = await sut
        .http()
        .post('/api/subscriptions/cancel')
        .set('x-api-key', admin.apiKey)
        .send(forAccount)
        .expect(200);
      expect(canceled.body.subscription).toMatchObject({ id: subscriptionId, cancelAtPeriodEnd: true });
      await sut
        .http()
        .post('/api/subscriptions/resume')
        .set('x-api-key', admin.apiKey)
        .send(forAccount)
        .expect(200);
      const preview = await sut
        .http()
        .post(`/api/billing/checkout?accountId=${account.accountId}`)
        .set('x-api-key', admin.apiKey)
        .send({ subscriptionId, quantity: 3, successUrl: `${APP_ORIGIN}/ok`, cancelUrl: `${APP_ORIGIN}/no` })
        .expect(200);
      await sut
        .http()
        .post(`/api/billing/checkout/${preview.body.data.sessionId}/confirm?accountId=${account.accountId}`)
        .set('x-api-key', admin.apiKey)
        .expect(200);
      expect(await me()).toMatchObject({ quantity: 3, cancelAtPeriodEnd: false });
    });
  });

  describe('what must hold', () => {
    it('should refuse with 409 and a fresh preview when the subscription changed since the preview', async () => {
      const subscriptionId = await subscribe({ quantity: 3 });
      const preview = await change({ subscriptionId, quantity: 5 }).expect(200);
      const item = (fake.subscriptions.get(subscriptionId)!.items as Body).data[0];
      item.quantity = 4;
      const stale = await confirm(preview.body.data.sessionId).expect(409);
      expect(stale.body.error).toMatchObject({ code: 'CHANGE_STALE', details: { reason: 'quantity' } });
      const fresh = stale.body.error.details.checkout as Body;
      expect(fresh.sessionId).not.toBe(preview.body.data.sessionId);
      expect(fresh.estimates.currentInvoice.lines.some((line: Body) => line.quantity === 4)).toBe(true);
      expect(updates(subscriptionId)).toHaveLength(0);
      await confirm(fresh.sessionId).expect(200);
      expect(await me()).toMatchObject({ quantity: 5 });
    });

    it('should apply a change once when two confirmations race, and refuse the loser with 409', async () => {
      const subscriptionId = await subscribe();
      const preview = await change({ subscriptionId, priceId: YEARLY }).expect(200);
      fake.delayMs = 200;
      try {
        const answers = await Promise.all([
          confirm(preview.body.data.sessionId),
          confirm(preview.body.data.sessionId),
        ]);
        expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
        const loser = answers.find((answer) => answer.status === 409)!;
        expect(['CHANGE_IN_PROGRESS', 'CHECKOUT_NOT_OPEN']).toContain(loser.body.error.code);
      } finally {
        fake.delayMs = 0;
      }
      expect(updates(subscriptionId)).toHaveLength(1);
    });

    it('should confirm one of two different changes of one subscription, never both', async () => {
      const subscriptionId = await subscribe({ quantity: 3 });
      const first = await change({ subscriptionId, quantity: 5 }).expect(200);
      const second = await change({ subscriptionId, quantity: 6 }).expect(200);
      fake.delayMs = 200;
      try {
        const answers = await Promise.all([
          confirm(first.body.data.sessionId),
          confirm(second.body.data.sessionId),
        ]);
        expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
      } finally {
        fake.delayMs = 0;
      }
      expect(updates(subscriptionId)).toHaveLength(1);
      expect(fake.subscriptions.size).toBeGreaterThan(0);
      const live = [...fake.subscriptions.values()].filter(
        (candidate) => candidate.customer === fake.subscriptions.get(subscriptionId)!.customer,
      );
      expect(live).toHaveLength(1);
    });

    it('should leave nothing half-written when the provider fails in the middle, and apply once on retry', async () => {
      const subscriptionId = await subscribe();
      const preview = await change({ subscriptionId, priceId: YEARLY }).expect(200);
      fake.injectFault(
        { kind: 'status', status: 500 },
        { times: 10, method: 'POST', path: new RegExp(`^/v1/subscriptions/${subscriptionId}$`) },
      );
      const failed = await confirm(preview.body.data.sessionId);
      expect([502, 503]).toContain(failed.status);
      fake.clearFaults();
      expect(await me()).toMatchObject({ priceId: MONTHLY });
      await confirm(preview.body.data.sessionId).expect(200);
      expect(await me()).toMatchObject({ priceId: YEARLY });
      const keys = new Set(updates(subscriptionId).map((call) => call.idempotencyKey));
      expect(keys.size).toBe(1);
      const invoices = [...fake.invoices.values()].filter(
        (invoice) => (invoice.parent as Body).subscription_details.subscription === subscriptionId,
      );
      expect(invoices).toHaveLength(1);
    });

    it("should answer 404 for another account's subscription or checkout, as for an unknown one", async () => {
      const subscriptionId = await subscribe();
      const other = await createAccount(sut);
      const foreign = await change({ subscriptionId, quantity: 2 }, other).expect(404);
      const unknown = await change({ subscriptionId: 'sub_unknown', quantity: 2 }, other).expect(404);
      expect(foreign.body).toEqual(unknown.body);
      const preview = await change({ subscriptionId, quantity: 2 }).expect(200);
      await confirm(preview.body.data.sessionId, other).expect(404);
      await sut
        .http()
        .get(`/api/billing/checkout/${preview.body.data.sessionId}`)
        .set('x-api-key', other.apiKey)
        .expect(404);
      expect(updates(subscriptionId)).toHaveLength(0);
    });

    it.each([
      ['the same price and quantity', { quantity: 1 }, 400, 'BAD_REQUEST'],
      ['a price in another currency', { priceId: EURO }, 400, 'BAD_REQUEST'],
      ['a one-time price', { priceId: CREDITS }, 400, 'BAD_REQUEST'],
      ['an unknown price', { priceId: 'price_nope' }, 400, 'BAD_REQUEST'],
      ['neither price nor quantity', {}, 400, 'BAD_REQUEST'],
      ['a payment mode', { priceId: YEARLY, mode: 'payment' }, 400, 'BAD_REQUEST'],
    ])('should refuse %s and change nothing', async (_what, body, status, code) => {
      const subscriptionId = await subscribe();
      const refused = await change({ subscriptionId, ...body }).expect(status);
      expect(refused.body).toMatchObject({ success: false, error: { code } });
      const rows = await sut.db.rows(
        sql`SELECT id FROM subscription_changes WHERE account_id = ${account.accountId}`,
      );
      expect(rows).toHaveLength(0);
    });

    it.each([
      ['a price in another currency', EURO, 'currency'],
      ['a one-time price', CREDITS, 'one_time_in_subscription_mode'],
      ['an unknown price', 'price_nope', 'unknown'],
    ])(
      "should keep seed 002's message for %s, with the reason in details",
      async (_what, priceId, reason) => {
        const subscriptionId = await subscribe();
        const refused = await change({ subscriptionId, priceId }).expect(400);
        expect(refused.body.error).toEqual({
          code: 'BAD_REQUEST',
          message: 'Invalid price ID',
          details: { reason },
        });
      },
    );

    it.each(['past_due', 'unpaid', 'incomplete'])(
      'should refuse to change a %s subscription with 409 and a reason',
      async (status) => {
        const subscriptionId = await subscribe({ status });
        const refused = await change({ subscriptionId, priceId: YEARLY }).expect(409);
        expect(refused.body.error).toMatchObject({
          code: 'SUBSCRIPTION_NOT_CHANGEABLE',
          details: { reason: status },
        });
      },
    );

    it('should refuse a subscription controlled by a schedule the service did not make', async () => {
      const subscriptionId = await subscribe();
      fake.subscriptions.get(subscriptionId)!.schedule = 'sub_sched_from_the_dashboard';
      const refused = await change({ subscriptionId, priceId: YEARLY }).expect(409);
      expect(refused.body.error.details).toEqual({ reason: 'foreign_schedule' });
    });

    it("should answer 409 when the operator's portal cannot confirm the change, and keep nothing", async () => {
      const subscriptionId = await subscribe();
      fake.portalPrices = new Set([MONTHLY]);
      const refused = await change({ subscriptionId, priceId: YEARLY }).expect(409);
      expect(refused.body.error.code).toBe('HOSTED_CONFIRM_UNAVAILABLE');
      const rows = await sut.db.rows(
        sql`SELECT id FROM subscription_changes WHERE account_id = ${account.accountId}`,
      );
      expect(rows).toHaveLength(0);
    });

    it('should refuse to confirm an expired change checkout', async () => {
      const subscriptionId = await subscribe();
      const preview = await change({ subscriptionId, priceId: YEARLY }).expect(200);
      await sut.db.changes(
        sql`UPDATE subscription_changes SET expires_at = ${new Date(Date.now() - 1000)} WHERE session_id = ${preview.body.data.sessionId}`,
      );
      const refused = await confirm(preview.body.data.sessionId).expect(409);
      expect(refused.body.error).toMatchObject({ code: 'CHECKOUT_NOT_OPEN', details: { status: 'expired' } });
      expect(updates(subscriptionId)).toHaveLength(0);
    });
  });

  describe('bad input', () => {
    const providerWrites = () =>
      fake.requests.filter((call) => call.method !== 'GET' && !call.path.startsWith('/v1/checkout/sessions'))
        .length;

    it.each([
      [
        'a subscriptionId that is not a string',
        { subscriptionId: 5, quantity: 2 },
        'subscriptionId must be a subscription ID',
      ],
      ['a quantity of 0', { quantity: 0 }, 'quantity must be at least 1'],
      ['an unknown timing', { quantity: 2, timing: 'later' }, 'timing must be immediate or period_end'],
      ['a non-boolean endTrial', { quantity: 2, endTrial: 'yes' }, 'endTrial must be true or false'],
      ['an unknown field', { quantity: 2, contractId: 'c_1' }, 'Unknown field: contractId'],
      [
        'allowExistingSubscription',
        { quantity: 2, allowExistingSubscription: true },
        'allowExistingSubscription does not apply to a change',
      ],
    ])(
      'should refuse a change with %s: 400 in the envelope, nothing written',
      async (_what, body, message) => {
        const subscriptionId = await subscribe();
        const before = providerWrites();
        const refused = await change({ subscriptionId, ...body }).expect(400);
        expect(refused.body).toEqual({ success: false, error: { code: 'BAD_REQUEST', message } });
        expect(providerWrites()).toBe(before);
        const rows = await sut.db.rows(
          sql`SELECT id FROM subscription_changes WHERE account_id = ${account.accountId}`,
        );
        expect(rows).toHaveLength(0);
      },
    );

    it("should refuse broken JSON on the change endpoints in each one's shape", async () => {
      await subscribe();
      const broken = (path: string) =>
        sut
          .http()
          .post(path)
          .set('x-api-key', account.apiKey)
          .set('content-type', 'application/json')
          .send('{"quantity":');
      const checkout = await broken('/api/billing/checkout').expect(400);
      expect(checkout.body).toMatchObject({ success: false, error: { code: 'BAD_REQUEST' } });
      const cancel = await broken('/api/subscriptions/cancel').expect(400);
      expect(Object.keys(cancel.body)).toEqual(['error']);
      const resume = await broken('/api/subscriptions/resume').expect(400);
      expect(Object.keys(resume.body)).toEqual(['error']);
      expect(await me()).toMatchObject({ cancelAtPeriodEnd: false });
    });

    it('should refuse unknown fields on cancel and resume, and confirm an unknown or odd id with a 4xx', async () => {
      await subscribe();
      const cancel = await sut
        .http()
        .post('/api/subscriptions/cancel')
        .set('x-api-key', account.apiKey)
        .send({ now: true })
        .expect(400);
      expect(cancel.body).toEqual({ error: 'Unknown field: now' });
      await sut
        .http()
        .post('/api/subscriptions/resume')
        .set('x-api-key', account.apiKey)
        .send({ force: 1 })
        .expect(400);
      for (const id of ['chg_unknown', 'x'.repeat(300), '%00', 'a%00b', '..%2f..', 'chg_%F0%9F%92%A5']) {
        const answers = [
          await confirm(id),
          await sut.http().get(`/api/billing/checkout/${id}`).set('x-api-key', account.apiKey),
        ];
        for (const answer of answers) {
          // A path too long for the router is 414; either way the envelope, and nothing done.
          expect({ id, status: [404, 414].includes(answer.status) }).toEqual({ id, status: true });
          expect(answer.body).toMatchObject({ success: false, error: { code: expect.any(String) } });
        }
      }
      expect(await me()).toMatchObject({ cancelAtPeriodEnd: false });
    });
  });

  describe('cancel and resume', () => {
    it('should cancel at period end, show cancelAt, and resume', async () => {
      const subscriptionId = await subscribe();
      const periodEnd = new Date(
        (fake.subscriptions.get(subscriptionId)!.items as Body).data[0].current_period_end * 1000,
      );
      const canceled = await sut
        .http()
        .post('/api/subscriptions/cancel')
        .set('x-api-key', account.apiKey)
        .send({})
        .expect(200);
      expect(canceled.body.subscription).toMatchObject({
        status: 'active',
        cancelAtPeriodEnd: true,
        cancelAt: periodEnd.toISOString(),
      });
      await sut
        .http()
        .post('/api/subscriptions/cancel')
        .set('x-api-key', account.apiKey)
        .send({})
        .expect(409);
      const resumed = await sut
        .http()
        .post('/api/subscriptions/resume')
        .set('x-api-key', account.apiKey)
        .send({})
        .expect(200);
      expect(resumed.body.subscription).toMatchObject({ cancelAtPeriodEnd: false, cancelAt: null });
      await sut
        .http()
        .post('/api/subscriptions/resume')
        .set('x-api-key', account.apiKey)
        .send({})
        .expect(409);
    });

    it('should cancel at once, withdrawing a scheduled change first', async () => {
      const subscriptionId = await subscribe({ quantity: 5 });
      const preview = await change({ subscriptionId, quantity: 3 }).expect(200);
      await confirm(preview.body.data.sessionId).expect(200);
      const canceled = await sut
        .http()
        .post('/api/subscriptions/cancel')
        .set('x-api-key', account.apiKey)
        .send({ atPeriodEnd: false })
        .expect(200);
      expect(canceled.body.subscription).toMatchObject({ status: 'canceled', pendingChange: null });
      const read = await sut
        .http()
        .get(`/api/billing/checkout/${preview.body.data.sessionId}`)
        .set('x-api-key', account.apiKey)
        .expect(200);
      expect(read.body.data.status).toBe('withdrawn');
    });

    it('should answer 404 without a subscription and 400 for a bad field, in the {error} shape', async () => {
      const none = await sut
        .http()
        .post('/api/subscriptions/cancel')
        .set('x-api-key', account.apiKey)
        .send({})
        .expect(404);
      expect(none.body).toEqual({ error: 'No subscription exists for this account' });
      const bad = await sut
        .http()
        .post('/api/subscriptions/cancel')
        .set('x-api-key', account.apiKey)
        .send({ atPeriodEnd: 'soon' })
        .expect(400);
      expect(bad.body).toEqual({ error: 'atPeriodEnd must be true or false' });
    });
  });
});
