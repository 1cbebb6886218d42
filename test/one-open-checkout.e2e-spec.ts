import { sql } from 'kysely';
import { RecordedRequest } from './support/fake-stripe';
import { useStripeApp } from './support/stripe-app';
import {
  APP_ORIGIN,
  createAccount,
  signedEvent,
  startTestApp,
  SUBSCRIPTION_PRICE,
  TestAccount,
  TestApp,
} from './support/test-app';

/**
 * At most one subscription-mode checkout is open per account and mode, whatever its price or
 * quantity: a request identical to the open one (every field that reaches the provider) gets it
 * back, any other request expires it at the provider first and then creates its own. Payment
 * checkouts may be several, and an identical one is still given back.
 */

const MONTHLY = 'price_pro_monthly';
const YEARLY = 'price_pro_yearly';
const CREDITS = 'price_credits_pack';
const TRIAL_DAYS = 14;
const SUCCESS_URL = `${APP_ORIGIN}/welcome`;
const CANCEL_URL = `${APP_ORIGIN}/pricing`;

type Body = Record<string, unknown>;

describe('One open subscription checkout per account, with the Stripe provider', () => {
  const { fake, sut, account } = useStripeApp({
    prices: [
      { id: SUBSCRIPTION_PRICE, type: 'recurring' },
      { id: MONTHLY, type: 'recurring' },
      { id: YEARLY, type: 'recurring', interval: 'year' },
      { id: CREDITS, type: 'one_time' },
    ],
    env: { TRIAL_DAYS: String(TRIAL_DAYS) },
    perTest: true,
  });

  const checkout = (body: Body = {}) =>
    sut
      .http()
      .post('/api/billing/checkout')
      .set('x-api-key', account.apiKey)
      .send({ priceId: MONTHLY, successUrl: SUCCESS_URL, cancelUrl: CANCEL_URL, ...body });

  const sessionCreates = (): RecordedRequest[] => fake.received('POST', '/v1/checkout/sessions');
  const expireCalls = (): RecordedRequest[] =>
    fake.received('POST', /^\/v1\/checkout\/sessions\/.+\/expire$/);

  const openRows = async () =>
    sut.db.rows(sql<{
      providerSessionId: string;
      checkoutMode: string;
    }>`SELECT provider_session_id, checkout_mode FROM checkout_sessions
        WHERE account_id = ${account.accountId} AND status IN ('pending', 'open')`);

  const statusAtProvider = (sessionId: string) => fake.sessions.get(sessionId)?.status;

  it('should expire the open subscription checkout of /sessions before a checkout of another price', async () => {
    const first = await sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', account.apiKey)
      .send({ successUrl: SUCCESS_URL })
      .expect(200);
    const second = await checkout({ priceId: YEARLY }).expect(200);

    const firstId = first.body.id as string;
    const secondId = second.body.data.sessionId as string;
    expect(secondId).not.toBe(firstId);
    expect(expireCalls().map((call) => call.path)).toEqual([`/v1/checkout/sessions/${firstId}/expire`]);
    // The open one is expired at the provider before the new one is asked for.
    const expiredAt = expireCalls()[0].at;
    expect(sessionCreates().at(-1)!.at).toBeGreaterThanOrEqual(expiredAt);
    expect(statusAtProvider(firstId)).toBe('expired');
    expect(statusAtProvider(secondId)).toBe('open');
    expect(await openRows()).toEqual([{ providerSessionId: secondId, checkoutMode: 'subscription' }]);
  });

  it('should expire the open checkout before one of the same price with another quantity', async () => {
    const first = await checkout({ quantity: 1 }).expect(200);
    const second = await checkout({ quantity: 2 }).expect(200);

    expect(second.body.data.sessionId).not.toBe(first.body.data.sessionId);
    expect(statusAtProvider(first.body.data.sessionId)).toBe('expired');
    expect(await openRows()).toHaveLength(1);
    expect(sessionCreates().at(-1)!.body.line_items).toEqual([{ price: MONTHLY, quantity: '2' }]);
  });

  it('should give an identical request the open checkout back without calling the provider again', async () => {
    const body = { quantity: 3, metadata: { order: 'A-1' }, expiresInMinutes: 60 };
    const first = await checkout(body).expect(200);
    const second = await checkout({ ...body, metadata: { order: 'A-1' } }).expect(200);

    expect(second.body).toEqual(first.body);
    expect(sessionCreates()).toHaveLength(1);
    expect(expireCalls()).toHaveLength(0);
  });

  it.each<[string, Body]>([
    ['successUrl', { successUrl: `${APP_ORIGIN}/welcome-back` }],
    ['cancelUrl', { cancelUrl: `${APP_ORIGIN}/plans` }],
    ['metadata', { metadata: { order: 'B-2' } }],
    ['expiresInMinutes', { expiresInMinutes: 45 }],
  ])('should make a new checkout, with the new %s, when only that differs', async (_field, change) => {
    const first = await checkout({ metadata: { order: 'A-1' } }).expect(200);
    const second = await checkout({ metadata: { order: 'A-1' }, ...change }).expect(200);

    expect(second.body.data.sessionId).not.toBe(first.body.data.sessionId);
    expect(statusAtProvider(first.body.data.sessionId)).toBe('expired');
    const created = sessionCreates().at(-1)!.body;
    const expected = { metadata: { order: 'A-1' }, ...change } as Body;
    if (expected.successUrl) expect(created.success_url).toBe(expected.successUrl);
    if (expected.cancelUrl) expect(created.cancel_url).toBe(expected.cancelUrl);
    expect((created.metadata as Body).order).toBe((expected.metadata as Body).order);
  });

  it('should answer 409 ALREADY_SUBSCRIBED when the open checkout was completed before it could be expired', async () => {
    const first = await checkout().expect(200);
    // The person pays; the provider's webhook has not arrived yet.
    fake.completeCheckout(first.body.data.sessionId);
    fake.requests.length = 0;

    const second = await checkout({ priceId: YEARLY }).expect(409);
    expect(second.body).toEqual({
      success: false,
      error: { code: 'ALREADY_SUBSCRIBED', message: expect.any(String) },
    });
    expect(sessionCreates()).toHaveLength(0);
  });

  it('should move the trial from the expired checkout to the one that replaced it', async () => {
    await checkout({ priceId: MONTHLY }).expect(200);
    const second = await checkout({ priceId: YEARLY }).expect(200);

    const [first, replacement] = sessionCreates();
    expect((first.body.subscription_data as Body).trial_period_days).toBe(String(TRIAL_DAYS));
    expect((replacement.body.subscription_data as Body).trial_period_days).toBe(String(TRIAL_DAYS));
    const holder = await sut.db.first(sql<{
      providerSessionId: string;
    }>`SELECT o.provider_session_id FROM accounts a JOIN checkout_sessions o ON o.id = a.trial_checkout_id
        WHERE a.id = ${account.accountId}`);
    expect(holder?.providerSessionId).toBe(second.body.data.sessionId);
  });

  it('should end with one live subscription when both checkouts are completed as far as the provider allows', async () => {
    const first = await checkout({ priceId: MONTHLY }).expect(200);
    const second = await checkout({ priceId: YEARLY }).expect(200);

    expect(() => fake.completeCheckout(first.body.data.sessionId)).toThrow(/not open/);
    const { session } = fake.completeCheckout(second.body.data.sessionId);
    const event = signedEvent('checkout.session.completed', session);
    await sut
      .http()
      .post('/api/webhooks/stripe')
      .set('stripe-signature', event.signature)
      .set('content-type', 'application/json')
      .send(event.payload)
      .expect(200);

    const live = [...fake.subscriptions.values()].filter(
      (subscription) => subscription.customer === session.customer,
    );
    expect(live).toHaveLength(1);
    const me = await sut.http().get('/api/subscriptions/me').set('x-api-key', account.apiKey).expect(200);
    expect(me.body.subscription).toMatchObject({ priceId: YEARLY, otherLiveSubscriptions: 0 });
  });

  it('should keep several open payment checkouts, and give an identical one back', async () => {
    const orderA = await checkout({ mode: 'payment', priceId: CREDITS, metadata: { order: 'A-1' } }).expect(
      200,
    );
    const orderB = await checkout({ mode: 'payment', priceId: CREDITS, metadata: { order: 'B-2' } }).expect(
      200,
    );
    const againA = await checkout({ mode: 'payment', priceId: CREDITS, metadata: { order: 'A-1' } }).expect(
      200,
    );

    expect(orderB.body.data.sessionId).not.toBe(orderA.body.data.sessionId);
    expect(againA.body).toEqual(orderA.body);
    expect(expireCalls()).toHaveLength(0);
    expect(sessionCreates()).toHaveLength(2);
    expect(sessionCreates().map((call) => (call.body.metadata as Body).order)).toEqual(['A-1', 'B-2']);
    // A payment checkout does not stand in the way of a subscription one, nor the other way round.
    const subscription = await checkout({ priceId: MONTHLY }).expect(200);
    expect(statusAtProvider(subscription.body.data.sessionId)).toBe('open');
    expect(statusAtProvider(orderA.body.data.sessionId)).toBe('open');
    expect((await openRows()).map((row) => row.checkoutMode).sort()).toEqual([
      'payment',
      'payment',
      'subscription',
    ]);
  });

  it('should leave one open checkout when 20 different requests race', async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => checkout({ quantity: (i % 4) + 1 })),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
    const open = [...fake.sessions.values()].filter(
      (session) => session.status === 'open' && session.client_reference_id === account.accountId,
    );
    expect(open).toHaveLength(1);
    expect(await openRows()).toEqual([{ providerSessionId: open[0].id, checkoutMode: 'subscription' }]);
  });
});

describe('One open subscription checkout per account, with the sandbox provider', () => {
  let sut: TestApp;
  let account: TestAccount;

  beforeAll(async () => {
    sut = await startTestApp({ TRIAL_DAYS: '30' });
  });

  afterAll(() => sut.close());

  beforeEach(async () => {
    account = await createAccount(sut);
  });

  const pathOf = (url: string) => new URL(url).pathname;

  it('should expire the first checkout at the sandbox, so that completing both makes one subscription', async () => {
    const first = await sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', account.apiKey)
      .send({ successUrl: SUCCESS_URL })
      .expect(200);
    const second = await sut
      .http()
      .post('/api/billing/checkout')
      .set('x-api-key', account.apiKey)
      .send({ priceId: 'price_sandbox_yearly', successUrl: SUCCESS_URL, cancelUrl: CANCEL_URL })
      .expect(200);

    const refused = await sut
      .http()
      .post(`${pathOf(first.body.url)}/complete`)
      .expect(400);
    expect(refused.body).toEqual({ error: 'This checkout session is expired' });
    await sut
      .http()
      .post(`${pathOf(second.body.data.url)}/complete`)
      .expect(303);

    const subscriptions = await sut.db.rows(
      sql`SELECT status FROM subscriptions WHERE account_id = ${account.accountId}`,
    );
    expect(subscriptions).toEqual([{ status: 'trialing' }]);
    const me = await sut.http().get('/api/subscriptions/me').set('x-api-key', account.apiKey).expect(200);
    expect(me.body.subscription).toMatchObject({ priceId: 'price_sandbox_yearly', status: 'trialing' });
  });
});
