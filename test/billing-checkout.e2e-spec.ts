import { RawBuilder, sql } from 'kysely';
import { FakeStripe, RecordedRequest } from './support/fake-stripe';
import { useStripeApp } from './support/stripe-app';
import {
  APP_ORIGIN,
  createAccount,
  signedEvent,
  STRIPE_KEY,
  STRIPE_TEST_KEY,
  TEST_MODE_WEBHOOK_SECRET,
  TestAccount,
  TestApp,
} from './support/test-app';

/** POST /api/billing/checkout (docs/api.md#checkout), and guarantees 1–5 through it. */

const SUCCESS_URL = `${APP_ORIGIN}/dashboard?checkout=success`;
const CANCEL_URL = `${APP_ORIGIN}/pricing?checkout=cancelled`;

const RECURRING = 'price_pro_monthly';
const RECURRING_OTHER = 'price_team_monthly';
const ONE_TIME = 'price_credits_pack';
const INACTIVE = 'price_retired_monthly';
const INACTIVE_PRODUCT = 'price_of_retired_product';
const CACHE_PROBE = 'price_cache_probe';
const ALLOWED = 'price_allowed_monthly';
const TRIAL_DAYS = 14;
const DAY_SECONDS = 24 * 60 * 60;

type Body = Record<string, unknown>;

function checkout(sut: TestApp, apiKey: string, body: Body = {}, query = '') {
  return sut
    .http()
    .post(`/api/billing/checkout${query}`)
    .set('authorization', `Bearer ${apiKey}`)
    .send({ priceId: RECURRING, successUrl: SUCCESS_URL, cancelUrl: CANCEL_URL, ...body });
}

const sessionCalls = (fake: FakeStripe): RecordedRequest[] => fake.received('POST', '/v1/checkout/sessions');

const posts = (fake: FakeStripe): RecordedRequest[] => fake.requests.filter((r) => r.method === 'POST');

const nowSeconds = () => Math.floor(Date.now() / 1000);

function metadataOf(count: number, prefix = 'key'): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, `value${i}`]));
}

function expectBadRequest(body: unknown, message?: string): void {
  expect(body).toEqual({
    success: false,
    error: { code: 'BAD_REQUEST', message: message ?? expect.any(String) },
  });
}

async function countRows(sut: TestApp, statement: RawBuilder<{ n: unknown }>): Promise<number> {
  const row = await sut.db.first(statement);
  return Number(row?.n);
}

/**
 * Gives the account a subscription in the given status the way production gets one: a checkout
 * through the API, completed at the (fake) provider, then the signed checkout.session.completed
 * webhook, after which the service fetches the subscription from the provider.
 */
async function subscribe(sut: TestApp, fake: FakeStripe, account: TestAccount, status: string) {
  const started = await checkout(sut, account.apiKey, { priceId: RECURRING }).expect(200);
  const sessionId = started.body.data.sessionId as string;
  const { session } = fake.completeCheckout(sessionId, { status });
  const event = signedEvent('checkout.session.completed', session);
  await sut
    .http()
    .post('/api/webhooks/stripe')
    .set('stripe-signature', event.signature)
    .set('content-type', 'application/json')
    .send(event.payload)
    .expect(200);
  const me = await sut.http().get('/api/subscriptions/me').set('x-api-key', account.apiKey).expect(200);
  expect(me.body.subscription?.status).toBe(status);
  return sessionId;
}

describe('POST /api/billing/checkout', () => {
  const { fake, sut, account } = useStripeApp({
    prices: [
      { id: RECURRING, type: 'recurring' },
      { id: RECURRING_OTHER, type: 'recurring', interval: 'year' },
      { id: ONE_TIME, type: 'one_time' },
      { id: INACTIVE, type: 'recurring', active: false },
      { id: INACTIVE_PRODUCT, type: 'recurring', productActive: false },
      { id: CACHE_PROBE, type: 'recurring' },
    ],
    env: { TRIAL_DAYS: String(TRIAL_DAYS) },
    perTest: true,
  });

  describe('success', () => {
    it('should answer {success: true, data: {sessionId, url}} with type, expiresAt and estimates, and create the session at the provider', async () => {
      const before = nowSeconds();
      const response = await checkout(sut, account.apiKey).expect(200);
      const after = nowSeconds();

      expect(Object.keys(response.body).sort()).toEqual(['data', 'success']);
      expect(response.body.success).toBe(true);
      expect(Object.keys(response.body.data).sort()).toEqual([
        'estimates',
        'expiresAt',
        'sessionId',
        'type',
        'url',
      ]);
      const { sessionId, url, type, estimates } = response.body.data;
      expect(sessionId).toMatch(/^cs_test_/);
      expect(fake.sessions.has(sessionId)).toBe(true);
      expect(url).toBe(fake.sessions.get(sessionId)!.url);
      expect(type).toBe('new_subscription');
      expect(Date.parse(response.body.data.expiresAt) / 1000).toBe(fake.sessions.get(sessionId)!.expires_at);
      // The price's amount for the first period, or nothing now and the first charge at a trial's end.
      const price = fake.prices.get(RECURRING)!;
      const first = estimates.nextInvoice;
      expect(first).toMatchObject({
        currency: 'usd',
        amountDue: price.unit_amount,
        total: price.unit_amount,
      });
      expect(first.lines).toEqual([
        expect.objectContaining({ amount: price.unit_amount, quantity: 1, proration: false }),
      ]);
      expect([0, price.unit_amount]).toContain(estimates.currentInvoice.amountDue);

      const customerCalls = fake.received('POST', '/v1/customers');
      expect(customerCalls).toHaveLength(1);
      const customerId = [...fake.customers.values()].find(
        (c) => (c.metadata as Record<string, string>).accountId === account.accountId,
      )!.id;

      const calls = sessionCalls(fake);
      expect(calls).toHaveLength(1);
      const [call] = calls;
      expect(call.apiKey).toBe(STRIPE_KEY);
      expect(call.body).toMatchObject({
        mode: 'subscription',
        customer: customerId,
        client_reference_id: account.accountId,
        success_url: SUCCESS_URL,
        cancel_url: CANCEL_URL,
      });
      expect(call.body.line_items).toEqual([{ price: RECURRING, quantity: '1' }]);
      const expiresAt = Number(call.body.expires_at);
      // Kept 30 s inside Stripe's 24-hour maximum, measured when the provider is called.
      expect(expiresAt).toBeGreaterThanOrEqual(before + DAY_SECONDS - 35);
      expect(expiresAt).toBeLessThanOrEqual(after + DAY_SECONDS);
      expect(call.idempotencyKey).toEqual(expect.any(String));
      expect(call.idempotencyKey!.length).toBeGreaterThan(0);
    });

    it('should make the session expire after expiresInMinutes when given', async () => {
      const before = nowSeconds();
      await checkout(sut, account.apiKey, { expiresInMinutes: 30 }).expect(200);
      const after = nowSeconds();
      const expiresAt = Number(sessionCalls(fake)[0].body.expires_at);
      // Kept 30 s above Stripe's 30-minute minimum, measured when the provider is called.
      expect(expiresAt).toBeGreaterThanOrEqual(before + 30 * 60);
      expect(expiresAt).toBeLessThanOrEqual(after + 30 * 60 + 35);
    });

    it.each([29, 1441])('should refuse expiresInMinutes %p with 400', async (minutes) => {
      const response = await checkout(sut, account.apiKey, { expiresInMinutes: minutes }).expect(400);
      expectBadRequest(response.body);
      expect(posts(fake)).toHaveLength(0);
    });

    it('should pass a {CHECKOUT_SESSION_ID} placeholder in successUrl to the provider literally', async () => {
      const successUrl = `${APP_ORIGIN}/done/{CHECKOUT_SESSION_ID}?session_id={CHECKOUT_SESSION_ID}`;
      await checkout(sut, account.apiKey, { successUrl }).expect(200);
      const sent = String(sessionCalls(fake)[0].body.success_url);
      expect(sent).toBe(successUrl);
      expect(sent).not.toContain('%7B');
    });
  });

  describe('errors', () => {
    it('should answer 400 "priceId is required" without a priceId', async () => {
      const response = await sut
        .http()
        .post('/api/billing/checkout')
        .set('authorization', `Bearer ${account.apiKey}`)
        .send({ successUrl: SUCCESS_URL, cancelUrl: CANCEL_URL })
        .expect(400);
      expect(response.body).toEqual({
        success: false,
        error: { code: 'BAD_REQUEST', message: 'priceId is required' },
      });
      expect(posts(fake)).toHaveLength(0);
    });

    it.each([
      ['an unknown price', 'price_does_not_exist', 'subscription', 'unknown'],
      ['an inactive price', INACTIVE, 'subscription', 'archived'],
      ['a price whose product is inactive', INACTIVE_PRODUCT, 'subscription', 'archived'],
      ['a one-time price in subscription mode', ONE_TIME, 'subscription', 'one_time_in_subscription_mode'],
      ['a recurring price in payment mode', RECURRING, 'payment', 'recurring_in_payment_mode'],
    ])(
      'should answer 400 "Invalid price ID" for %s, with the reason in details',
      async (_name, priceId, mode, reason) => {
        const response = await checkout(sut, account.apiKey, { priceId, mode }).expect(400);
        expect(response.body).toEqual({
          success: false,
          error: { code: 'BAD_REQUEST', message: 'Invalid price ID', details: { reason } },
        });
        expect(posts(fake)).toHaveLength(0);
      },
    );

    it('should give a malformed priceId the same message, as a field error without a reason', async () => {
      const response = await checkout(sut, account.apiKey, { priceId: 'price with spaces' }).expect(400);
      expect(response.body).toEqual({
        success: false,
        error: { code: 'BAD_REQUEST', message: 'Invalid price ID' },
      });
      expect(fake.requests).toHaveLength(0);
    });

    it('should answer 401 "Authentication required" without a credential', async () => {
      const response = await sut
        .http()
        .post('/api/billing/checkout')
        .send({ priceId: RECURRING, successUrl: SUCCESS_URL, cancelUrl: CANCEL_URL })
        .expect(401);
      expect(response.body).toEqual({
        success: false,
        error: { code: 'UNAUTHORIZED', message: 'Authentication required' },
      });
      expect(fake.requests).toHaveLength(0);
    });

    it('should answer 401 in the envelope for an unknown API key', async () => {
      const response = await checkout(sut, `${account.apiKey}x`).expect(401);
      expect(response.body).toEqual({
        success: false,
        error: { code: 'UNAUTHORIZED', message: expect.any(String) },
      });
      expect(fake.requests).toHaveLength(0);
    });

    it('should answer 404 NOT_FOUND for ?testMode=true when test mode is not configured', async () => {
      const response = await checkout(sut, account.apiKey, {}, '?testMode=true').expect(404);
      expect(response.body).toEqual({
        success: false,
        error: { code: 'NOT_FOUND', message: expect.any(String) },
      });
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('existing subscription (guarantee 2)', () => {
    it.each(['active', 'trialing', 'past_due'])(
      "should answer 409 ALREADY_SUBSCRIBED when the account's subscription is %s",
      async (status) => {
        await subscribe(sut, fake, account, status);
        fake.requests.length = 0;

        for (const priceId of [RECURRING, RECURRING_OTHER]) {
          const response = await checkout(sut, account.apiKey, { priceId }).expect(409);
          expect(response.body).toEqual({
            success: false,
            error: { code: 'ALREADY_SUBSCRIBED', message: expect.any(String) },
          });
        }
        expect(sessionCalls(fake)).toHaveLength(0);
      },
    );

    it('should create a new checkout with allowExistingSubscription: true', async () => {
      const completed = await subscribe(sut, fake, account, 'active');
      fake.requests.length = 0;

      const response = await checkout(sut, account.apiKey, { allowExistingSubscription: true }).expect(200);
      expect(response.body.success).toBe(true);
      expect(response.body.data.sessionId).not.toBe(completed);
      expect(sessionCalls(fake)).toHaveLength(1);
    });

    it('should let an account with a live subscription make a one-time payment (it is no second subscription)', async () => {
      await subscribe(sut, fake, account, 'active');
      fake.requests.length = 0;

      await checkout(sut, account.apiKey, { priceId: ONE_TIME, mode: 'payment' }).expect(200);
      expect(sessionCalls(fake).map((call) => call.body.mode)).toEqual(['payment']);
    });

    it('should not block an account whose subscription is canceled', async () => {
      await subscribe(sut, fake, account, 'canceled');
      await checkout(sut, account.apiKey, { priceId: RECURRING_OTHER }).expect(200);
    });
  });

  describe('price lookups', () => {
    it('should look a price up at the provider once for two checkouts', async () => {
      await checkout(sut, account.apiKey, { priceId: CACHE_PROBE }).expect(200);
      await checkout(sut, account.apiKey, { priceId: CACHE_PROBE, quantity: 2 }).expect(200);
      expect(sessionCalls(fake)).toHaveLength(2);
      expect(fake.received('GET', `/v1/prices/${CACHE_PROBE}`)).toHaveLength(1);
    });

    it('should have one lookup of a price in flight however many checkouts wait for it', async () => {
      const price = 'price_burst_probe';
      fake.addPrice({ id: price, type: 'recurring' });
      fake.delayMs = 50;
      try {
        const accounts = await Promise.all(Array.from({ length: 30 }, () => createAccount(sut)));
        const responses = await Promise.all(
          accounts.map((buyer) => checkout(sut, buyer.apiKey, { priceId: price })),
        );
        expect(responses.map((response) => response.status)).toEqual(Array(30).fill(200));
      } finally {
        fake.delayMs = 0;
      }
      expect(fake.received('GET', `/v1/prices/${price}`)).toHaveLength(1);
    });
  });

  describe('modes', () => {
    it('should create a payment checkout with payment_intent_data.metadata and no subscription_data', async () => {
      const metadata = { order: 'A-17', source: 'store' };
      await checkout(sut, account.apiKey, { priceId: ONE_TIME, mode: 'payment', metadata }).expect(200);
      const [call] = sessionCalls(fake);
      expect(call.body.mode).toBe('payment');
      expect(call.body.line_items).toEqual([{ price: ONE_TIME, quantity: '1' }]);
      expect(call.body.payment_intent_data).toEqual({
        metadata: { ...metadata, accountId: account.accountId },
      });
      expect(call.body.subscription_data).toBeUndefined();
      expect(call.body.metadata).toEqual({ ...metadata, accountId: account.accountId });
    });

    it('should put the metadata on subscription_data in subscription mode, with no payment_intent_data', async () => {
      const metadata = { plan: 'pro' };
      await checkout(sut, account.apiKey, { mode: 'subscription', metadata }).expect(200);
      const [call] = sessionCalls(fake);
      expect(call.body.mode).toBe('subscription');
      expect((call.body.subscription_data as Body).metadata).toEqual({
        ...metadata,
        accountId: account.accountId,
      });
      expect(call.body.payment_intent_data).toBeUndefined();
    });
  });

  describe('metadata (guarantee 4)', () => {
    it("should pass the caller's metadata on, with the real accountId over a caller-supplied one", async () => {
      const metadata = { plan: 'pro', referralCode: 'FRIEND20', accountId: 'someone-else' };
      await checkout(sut, account.apiKey, { metadata }).expect(200);
      const [call] = sessionCalls(fake);
      const expected = { plan: 'pro', referralCode: 'FRIEND20', accountId: account.accountId };
      expect(call.body.metadata).toEqual(expected);
      expect((call.body.subscription_data as Body).metadata).toEqual(expected);
    });

    it('should accept 49 caller keys (50 with accountId)', async () => {
      await checkout(sut, account.apiKey, { metadata: metadataOf(49) }).expect(200);
      const [call] = sessionCalls(fake);
      expect(Object.keys(call.body.metadata as Body)).toHaveLength(50);
      expect((call.body.metadata as Body).key48).toBe('value48');
    });

    it('should refuse 50 caller keys (51 with accountId) with 400', async () => {
      const response = await checkout(sut, account.apiKey, { metadata: metadataOf(50) }).expect(400);
      expectBadRequest(response.body);
      expect(posts(fake)).toHaveLength(0);
    });

    it('should accept a 40-character key and a 500-character value', async () => {
      const key = 'k'.repeat(40);
      const value = 'v'.repeat(500);
      await checkout(sut, account.apiKey, { metadata: { [key]: 'x', long: value } }).expect(200);
      const [call] = sessionCalls(fake);
      expect((call.body.metadata as Body)[key]).toBe('x');
      expect((call.body.metadata as Body).long).toBe(value);
    });

    it('should refuse a 41-character key with 400', async () => {
      const response = await checkout(sut, account.apiKey, { metadata: { ['k'.repeat(41)]: 'x' } }).expect(
        400,
      );
      expectBadRequest(response.body);
      expect(posts(fake)).toHaveLength(0);
    });

    it('should refuse a 501-character value with 400', async () => {
      const response = await checkout(sut, account.apiKey, { metadata: { long: 'v'.repeat(501) } }).expect(
        400,
      );
      expectBadRequest(response.body);
      expect(posts(fake)).toHaveLength(0);
    });
  });

  describe('quantity', () => {
    it('should send quantity 3 as line_items[0].quantity', async () => {
      await checkout(sut, account.apiKey, { quantity: 3 }).expect(200);
      expect(sessionCalls(fake)[0].body.line_items).toEqual([{ price: RECURRING, quantity: '3' }]);
    });

    it('should refuse quantity 0 with 400', async () => {
      const response = await checkout(sut, account.apiKey, { quantity: 0 }).expect(400);
      expectBadRequest(response.body);
      expect(posts(fake)).toHaveLength(0);
    });
  });

  describe('reuse of an open checkout (guarantee 2)', () => {
    it('should return the same session for the same account, price, quantity and mode', async () => {
      const first = await checkout(sut, account.apiKey, { quantity: 2, mode: 'subscription' }).expect(200);
      const second = await checkout(sut, account.apiKey, { quantity: 2, mode: 'subscription' }).expect(200);
      expect(second.body).toEqual(first.body);
      expect(sessionCalls(fake)).toHaveLength(1);
    });

    it('should create a new session for a different quantity', async () => {
      const first = await checkout(sut, account.apiKey, { quantity: 1 }).expect(200);
      const second = await checkout(sut, account.apiKey, { quantity: 2 }).expect(200);
      expect(second.body.data.sessionId).not.toBe(first.body.data.sessionId);
      expect(sessionCalls(fake)).toHaveLength(2);
    });

    it('should create a new session for a different price', async () => {
      const first = await checkout(sut, account.apiKey, { priceId: RECURRING }).expect(200);
      const second = await checkout(sut, account.apiKey, { priceId: RECURRING_OTHER }).expect(200);
      expect(second.body.data.sessionId).not.toBe(first.body.data.sessionId);
      expect(sessionCalls(fake)).toHaveLength(2);
    });

    it('should not reuse an open checkout whose time is up', async () => {
      const first = await checkout(sut, account.apiKey).expect(200);
      const oldId = first.body.data.sessionId as string;
      const changed = await sut.db.changes(
        sql`UPDATE checkout_sessions SET expires_at = ${new Date(Date.now() - 60_000)} WHERE provider_session_id = ${oldId}`,
      );
      expect(changed).toBe(1);

      const second = await checkout(sut, account.apiKey).expect(200);
      expect(second.body.data.sessionId).not.toBe(oldId);
      expect(sessionCalls(fake)).toHaveLength(2);
      const old = await sut.db.first(
        sql<{ status: string }>`SELECT status FROM checkout_sessions WHERE provider_session_id = ${oldId}`,
      );
      expect(old?.status).toBe('expired');
    });
  });

  describe('concurrency (guarantee 1)', () => {
    it('should create one customer and one session for 50 concurrent first requests', async () => {
      const responses = await Promise.all(
        Array.from({ length: 50 }, () => checkout(sut, account.apiKey, { metadata: { plan: 'pro' } })),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
      const ids = new Set(responses.map((r) => r.body.data.sessionId));
      expect(ids.size).toBe(1);

      expect(fake.received('POST', '/v1/customers')).toHaveLength(1);
      expect(sessionCalls(fake)).toHaveLength(1);
      expect(
        await countRows(
          sut,
          sql`SELECT COUNT(*) AS n FROM customers WHERE account_id = ${account.accountId}`,
        ),
      ).toBe(1);
      expect(
        await countRows(
          sut,
          sql`SELECT COUNT(*) AS n FROM checkout_sessions
               WHERE account_id = ${account.accountId} AND status IN ('pending', 'open')`,
        ),
      ).toBe(1);
    });
  });

  describe('trial (guarantee 3)', () => {
    it('should give the trial to a subscription checkout, never to a payment checkout', async () => {
      await checkout(sut, account.apiKey, { priceId: ONE_TIME, mode: 'payment' }).expect(200);
      await checkout(sut, account.apiKey, { priceId: RECURRING }).expect(200);
      const [payment, subscription] = sessionCalls(fake);
      expect(payment.body.subscription_data).toBeUndefined();
      expect((subscription.body.subscription_data as Body).trial_period_days).toBe(String(TRIAL_DAYS));
    });

    it('should leave one customer and one open checkout, holding the one trial, after concurrent first checkouts of different quantities', async () => {
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) => checkout(sut, account.apiKey, { quantity: i + 1 })),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(fake.received('POST', '/v1/customers')).toHaveLength(1);
      const open = [...fake.sessions.values()].filter(
        (session) => session.status === 'open' && session.client_reference_id === account.accountId,
      );
      expect(open).toHaveLength(1);
      expect((open[0]._subscription_data as Body).trial_period_days).toBe(String(TRIAL_DAYS));
      const holder = await sut.db.first(
        sql<{
          status: string;
        }>`SELECT o.status FROM accounts a JOIN checkout_sessions o ON o.id = a.trial_checkout_id WHERE a.id = ${account.accountId}`,
      );
      expect(holder?.status).toBe('open');
    });

    it('should give no trial after the account had a trial subscription, even a canceled one', async () => {
      await subscribe(sut, fake, account, 'canceled');
      fake.requests.length = 0;
      await checkout(sut, account.apiKey, { priceId: RECURRING_OTHER }).expect(200);
      const [call] = sessionCalls(fake);
      expect(call.body.subscription_data).toBeDefined();
      expect((call.body.subscription_data as Body).trial_period_days).toBeUndefined();
    });
  });
});

describe('POST /api/billing/checkout with ALLOWED_PRICE_IDS', () => {
  const { fake, sut, account } = useStripeApp({
    prices: [
      { id: ALLOWED, type: 'recurring' },
      { id: RECURRING, type: 'recurring' },
    ],
    env: { ALLOWED_PRICE_IDS: `${ALLOWED},price_other_allowed` },
    perTest: true,
  });

  it('should accept a listed active price', async () => {
    const response = await checkout(sut, account.apiKey, { priceId: ALLOWED }).expect(200);
    expect(response.body.success).toBe(true);
    expect(sessionCalls(fake)[0].body.line_items).toEqual([{ price: ALLOWED, quantity: '1' }]);
  });

  it('should answer 400 "Invalid price ID" (reason not_on_offer) for an active price not on the list', async () => {
    const response = await checkout(sut, account.apiKey, { priceId: RECURRING }).expect(400);
    expect(response.body).toEqual({
      success: false,
      error: { code: 'BAD_REQUEST', message: 'Invalid price ID', details: { reason: 'not_on_offer' } },
    });
    expect(posts(fake)).toHaveLength(0);
    // Refused before the provider is asked: the operator's list is the first word.
    expect(fake.received('GET', `/v1/prices/${RECURRING}`)).toHaveLength(0);
  });
});

describe('POST /api/billing/checkout?testMode=true with test-mode credentials', () => {
  const { fake, sut, account } = useStripeApp({
    prices: [{ id: RECURRING, type: 'recurring' }],
    env: { STRIPE_TEST_SECRET_KEY: STRIPE_TEST_KEY, STRIPE_TEST_WEBHOOK_SECRET: TEST_MODE_WEBHOOK_SECRET },
    perTest: true,
  });

  it('should call the provider with the test key for ?testMode=true', async () => {
    const response = await checkout(sut, account.apiKey, {}, '?testMode=true').expect(200);
    expect(response.body.success).toBe(true);
    expect(fake.requests.length).toBeGreaterThan(0);
    expect(fake.requests.every((r) => r.apiKey === STRIPE_TEST_KEY)).toBe(true);
    expect(sessionCalls(fake)).toHaveLength(1);
    expect(fake.received('POST', '/v1/customers')).toHaveLength(1);
  });

  it('should keep separate customers and sessions for test mode and live mode', async () => {
    const test = await checkout(sut, account.apiKey, {}, '?testMode=true').expect(200);
    const live = await checkout(sut, account.apiKey).expect(200);
    expect(live.body.data.sessionId).not.toBe(test.body.data.sessionId);

    const customerCalls = fake.received('POST', '/v1/customers');
    expect(customerCalls.map((c) => c.apiKey)).toEqual([STRIPE_TEST_KEY, STRIPE_KEY]);
    const [testSession, liveSession] = sessionCalls(fake);
    expect(testSession.apiKey).toBe(STRIPE_TEST_KEY);
    expect(liveSession.apiKey).toBe(STRIPE_KEY);
    expect(liveSession.body.customer).not.toBe(testSession.body.customer);

    const rows = await sut.db.rows(
      sql<{
        mode: string;
        providerCustomerId: string;
      }>`SELECT mode, provider_customer_id FROM customers WHERE account_id = ${account.accountId} ORDER BY mode`,
    );
    expect(rows.map((r) => r.mode)).toEqual(['live', 'test']);
    expect(rows[0].providerCustomerId).toBe(liveSession.body.customer);
    expect(rows[1].providerCustomerId).toBe(testSession.body.customer);
  });
});
