import { sql } from 'kysely';
import { useStripeApp } from './support/stripe-app';
import { APP_ORIGIN, signedEvent, STRIPE_KEY, SUBSCRIPTION_PRICE, TestAccount } from './support/test-app';

const PORTAL = '/api/subscriptions/portal';
const RETURN_URL = `${APP_ORIGIN}/settings/billing?tab=invoices`;

describe('POST /api/subscriptions/portal', () => {
  const { fake, sut, account } = useStripeApp({
    prices: [{ id: SUBSCRIPTION_PRICE, type: 'recurring' }],
    perTest: true,
  });

  /** Gives the account a provider customer the way a client would: by starting a checkout. */
  async function giveCustomer(target: TestAccount): Promise<string> {
    await sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', target.apiKey)
      .send({ successUrl: `${APP_ORIGIN}/welcome` })
      .expect(200);
    const rows = await sut.db.rows(
      sql<{
        id: string;
      }>`SELECT provider_customer_id AS id FROM customers WHERE account_id = ${target.accountId}`,
    );
    expect(rows).toHaveLength(1);
    expect(fake.customers.has(rows[0].id)).toBe(true);
    fake.requests.length = 0;
    return rows[0].id;
  }

  function openPortal(target: TestAccount, returnUrl: string = RETURN_URL) {
    return sut.http().post(PORTAL).set('x-api-key', target.apiKey).send({ returnUrl });
  }

  it('should answer 404 {error} for an account without a provider customer, without calling the provider', async () => {
    const response = await openPortal(account).expect(404);

    expect(response.body).toEqual({ error: 'No billing customer exists for this account yet' });
    expect(fake.requests).toEqual([]);
    const customers = await sut.db.rows(
      sql<{ n: unknown }>`SELECT COUNT(*) AS n FROM customers WHERE account_id = ${account.accountId}`,
    );
    expect(Number(customers[0].n)).toBe(0);
  });

  it("should open the provider's billing portal for the account's customer and return exactly {id, url}", async () => {
    const customerId = await giveCustomer(account);

    const response = await openPortal(account).expect(200);

    expect(Object.keys(response.body).sort()).toEqual(['id', 'url']);
    const portalSession = fake.portalSessions.get(response.body.id);
    expect(portalSession).toBeDefined();
    expect(response.body.url).toBe(portalSession!.url);

    const calls = fake.received('POST', '/v1/billing_portal/sessions');
    expect(calls).toHaveLength(1);
    expect(calls[0].body).toEqual({ customer: customerId, return_url: RETURN_URL });
    expect(calls[0].idempotencyKey).toEqual(expect.stringMatching(/\S/));
    expect(calls[0].apiKey).toBe(STRIPE_KEY);
    expect(fake.received('POST', '/v1/customers')).toEqual([]);
  });

  it('should pass a localhost return URL with a port, query and fragment to the provider unchanged', async () => {
    const customerId = await giveCustomer(account);
    const returnUrl = 'http://localhost:5173/settings/billing?from=portal&x=%20y#invoices';

    await openPortal(account, returnUrl).expect(200);

    const [call] = fake.received('POST', '/v1/billing_portal/sessions');
    expect(call.body).toEqual({ customer: customerId, return_url: returnUrl });
  });

  it('should make a new portal session, under a new idempotency key, for each request', async () => {
    await giveCustomer(account);

    const first = await openPortal(account).expect(200);
    const second = await openPortal(account).expect(200);

    expect(second.body.id).not.toBe(first.body.id);
    const keys = fake.received('POST', '/v1/billing_portal/sessions').map((call) => call.idempotencyKey);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(2);
  });

  it('should still open the portal for an account whose subscription was cancelled', async () => {
    const customerId = await giveCustomer(account);
    const subscription = fake.putSubscription({
      customer: customerId,
      status: 'canceled',
      priceId: SUBSCRIPTION_PRICE,
      metadata: { accountId: account.accountId },
    });
    const event = signedEvent('customer.subscription.deleted', subscription);
    await sut
      .http()
      .post('/api/webhooks/stripe')
      .set('content-type', 'application/json')
      .set('stripe-signature', event.signature)
      .send(event.payload)
      .expect(200);
    const me = await sut.http().get('/api/subscriptions/me').set('x-api-key', account.apiKey).expect(200);
    expect(me.body.subscription).toMatchObject({ id: subscription.id, status: 'canceled' });
    fake.requests.length = 0;

    const response = await openPortal(account).expect(200);

    expect(Object.keys(response.body).sort()).toEqual(['id', 'url']);
    const calls = fake.received('POST', '/v1/billing_portal/sessions');
    expect(calls).toHaveLength(1);
    expect(calls[0].body).toEqual({ customer: customerId, return_url: RETURN_URL });
  });

  it('should answer 400 {error} for a returnUrl on an origin that is not allowed, without calling the provider', async () => {
    await giveCustomer(account);

    const response = await openPortal(account, 'https://evil.example.com/phish').expect(400);

    expect(response.body).toEqual({
      error: `returnUrl is not on an allowed origin (${APP_ORIGIN}, http://localhost:*); set ALLOWED_REDIRECT_ORIGINS to allow others`,
    });
    expect(fake.requests).toEqual([]);
  });

  it('should answer 400 {error: "returnUrl is required"} for a body without returnUrl', async () => {
    await giveCustomer(account);

    const response = await sut.http().post(PORTAL).set('x-api-key', account.apiKey).send({}).expect(400);

    expect(response.body).toEqual({ error: 'returnUrl is required' });
    expect(fake.requests).toEqual([]);
  });

  it.each([
    ['no credential', {}],
    ['an unknown API key', { 'x-api-key': 'bsk_not_a_real_key' }],
    ['a bearer value that is no credential', { authorization: 'Bearer not-a-token' }],
  ])('should answer 401 {error} for %s, without calling the provider', async (_name, headers) => {
    await giveCustomer(account);

    const response = await sut.http().post(PORTAL).set(headers).send({ returnUrl: RETURN_URL }).expect(401);

    expect(response.body).toEqual({ error: 'Authentication required' });
    expect(fake.requests).toEqual([]);
  });

  it('should answer 401 {error} for a revoked API key', async () => {
    await giveCustomer(account);
    await sut.admin.revokeApiKey(account.apiKeyId);

    const response = await openPortal(account).expect(401);

    expect(response.body).toEqual({ error: 'Authentication required' });
    expect(fake.requests).toEqual([]);
  });
});
