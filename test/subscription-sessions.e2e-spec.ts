import { sql } from 'kysely';
import { useStripeApp } from './support/stripe-app';
import { APP_ORIGIN, STRIPE_KEY, SUBSCRIPTION_PRICE } from './support/test-app';

describe('POST /api/subscriptions/sessions', () => {
  const { fake, sut, account } = useStripeApp({
    prices: [{ id: SUBSCRIPTION_PRICE, type: 'recurring' }],
    env: { TRIAL_DAYS: '30' },
    perTest: true,
  });

  it('should create a subscription checkout with the configured price, trial and account metadata', async () => {
    const response = await sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', account.apiKey)
      .send({ successUrl: `${APP_ORIGIN}/welcome?subscription=success` })
      .expect(200);

    expect(Object.keys(response.body).sort()).toEqual(['id', 'url']);
    expect(response.body.id).toMatch(/^cs_test_/);
    expect(response.body.url).toBe(`https://checkout.stripe.test/c/pay/${response.body.id}`);

    const [customerCall] = fake.received('POST', '/v1/customers');
    expect(customerCall.body.metadata).toEqual({ accountId: account.accountId });
    expect(customerCall.idempotencyKey).toMatch(/^customer-/);
    expect(customerCall.apiKey).toBe(STRIPE_KEY);
    expect(customerCall.stripeVersion).toBe('2026-10-28.endive');

    const [sessionCall] = fake.received('POST', '/v1/checkout/sessions');
    expect(sessionCall.body).toMatchObject({
      mode: 'subscription',
      customer: fake.customers.keys().next().value,
      client_reference_id: account.accountId,
      success_url: `${APP_ORIGIN}/welcome?subscription=success`,
      line_items: [{ price: SUBSCRIPTION_PRICE, quantity: '1' }],
      metadata: { accountId: account.accountId },
      subscription_data: { trial_period_days: '30', metadata: { accountId: account.accountId } },
    });
    expect(sessionCall.idempotencyKey).toMatch(/^checkout-/);
  });

  it('should reuse the provider customer for the account afterwards', async () => {
    const first = await sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', account.apiKey)
      .send({ successUrl: `${APP_ORIGIN}/a` })
      .expect(200);
    const second = await sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('authorization', `Bearer ${account.apiKey}`)
      .send({ successUrl: `${APP_ORIGIN}/a` })
      .expect(200);
    expect(second.body).toEqual(first.body);
    expect(fake.received('POST', '/v1/customers')).toHaveLength(1);
  });

  it('should make one provider customer and one checkout row for 50 concurrent first requests (guarantee 1)', async () => {
    fake.delayMs = 20;
    try {
      const responses = await Promise.all(
        Array.from({ length: 50 }, () =>
          sut
            .http()
            .post('/api/subscriptions/sessions')
            .set('x-api-key', account.apiKey)
            .send({ successUrl: `${APP_ORIGIN}/welcome` }),
        ),
      );

      expect(responses.map((response) => response.status)).toEqual(Array(50).fill(200));
      expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
      expect(fake.received('POST', '/v1/customers')).toHaveLength(1);
      expect(fake.received('POST', '/v1/checkout/sessions')).toHaveLength(1);
      const customers = await sut.db.rows(
        sql`SELECT id FROM customers WHERE account_id = ${account.accountId}`,
      );
      const checkouts = await sut.db.rows(
        sql`SELECT id FROM checkout_sessions WHERE account_id = ${account.accountId}`,
      );
      expect(customers).toHaveLength(1);
      expect(checkouts).toHaveLength(1);
    } finally {
      fake.delayMs = 0;
    }
  });

  it('should answer 401 {error} without a credential, even for a broken body', async () => {
    const response = await sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('content-type', 'application/json')
      .send('{"successUrl": ')
      .expect(401);
    expect(response.body).toEqual({ error: 'Authentication required' });
  });
});
