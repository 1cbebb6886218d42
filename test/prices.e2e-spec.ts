import { buildOpenApiDocument } from '../src/openapi';
import { FakePrice } from './support/fake-stripe';
import { useStripeApp } from './support/stripe-app';
import {
  APP_ORIGIN,
  createAccount,
  startTestApp,
  STRIPE_TEST_KEY,
  TEST_MODE_WEBHOOK_SECRET,
  TestAccount,
  TestApp,
} from './support/test-app';

/** GET /api/prices: what the catalogue offers, from the sandbox or from Stripe, and with ALLOWED_PRICE_IDS. */

const SANDBOX_ON_OFFER = [
  {
    id: 'price_sandbox_monthly',
    productName: 'Pro plan (sandbox)',
    unitAmount: 1500,
    currency: 'usd',
    interval: 'month',
    kind: 'recurring',
    active: true,
  },
  {
    id: 'price_sandbox_yearly',
    productName: 'Pro plan, yearly (sandbox)',
    unitAmount: 15000,
    currency: 'usd',
    interval: 'year',
    kind: 'recurring',
    active: true,
  },
  {
    id: 'price_sandbox_credits',
    productName: 'Credit pack (sandbox)',
    unitAmount: 5000,
    currency: 'usd',
    interval: null,
    kind: 'one_time',
    active: true,
  },
];

const listPrices = (sut: TestApp, apiKey: string, query = '') =>
  sut.http().get(`/api/prices${query}`).set('x-api-key', apiKey);

describe('GET /api/prices (sandbox)', () => {
  let sut: TestApp;
  let account: TestAccount;

  beforeAll(async () => {
    sut = await startTestApp({ PAYMENT_PROVIDER: 'sandbox' });
    account = await createAccount(sut);
  });

  afterAll(async () => {
    await sut.close();
  });

  it('should list the active sandbox prices, without the retired one', async () => {
    const response = await listPrices(sut, account.apiKey).expect(200);

    expect(response.body).toEqual({ prices: SANDBOX_ON_OFFER });
  });

  it('should be what the OpenAPI document shows as its example', async () => {
    const response = await listPrices(sut, account.apiKey).expect(200);
    const document = JSON.parse(JSON.stringify(buildOpenApiDocument(sut.app))) as {
      components: { schemas: Record<string, { properties: { prices: { example: unknown } } }> };
    };

    expect(document.components.schemas.PricesResponse.properties.prices.example).toEqual(
      response.body.prices,
    );
  });

  it('should list the same prices with ?testMode=true (the sandbox has both modes)', async () => {
    const response = await listPrices(sut, account.apiKey, '?testMode=true').expect(200);

    expect(response.body).toEqual({ prices: SANDBOX_ON_OFFER });
  });

  it('should list only prices a checkout accepts, each in the mode of its kind', async () => {
    const { body } = await listPrices(sut, account.apiKey).expect(200);

    for (const price of body.prices as { id: string; kind: string }[]) {
      const started = await sut
        .http()
        .post('/api/billing/checkout')
        .set('x-api-key', account.apiKey)
        .send({
          priceId: price.id,
          mode: price.kind === 'recurring' ? 'subscription' : 'payment',
          successUrl: `${APP_ORIGIN}/ok`,
          cancelUrl: `${APP_ORIGIN}/pricing`,
          allowExistingSubscription: true,
        });
      expect({ price: price.id, status: started.status }).toEqual({ price: price.id, status: 200 });
    }
  });

  it('should answer 401 {error} without a credential', async () => {
    const response = await sut.http().get('/api/prices').expect(401);

    expect(response.body).toEqual({ error: 'Authentication required' });
  });

  it('should answer 400 {error} for a testMode that is neither true nor false', async () => {
    const response = await listPrices(sut, account.apiKey, '?testMode=yes').expect(400);

    expect(response.body).toEqual({ error: 'testMode must be true or false' });
  });
});

describe('GET /api/prices (sandbox, ALLOWED_PRICE_IDS)', () => {
  let sut: TestApp;
  let account: TestAccount;

  beforeAll(async () => {
    sut = await startTestApp({
      PAYMENT_PROVIDER: 'sandbox',
      ALLOWED_PRICE_IDS: 'price_sandbox_credits,price_sandbox_retired,price_nowhere,price_sandbox_monthly',
    });
    account = await createAccount(sut);
  });

  afterAll(async () => {
    await sut.close();
  });

  it("should list the allowed prices the sandbox offers, in the list's order, leaving out retired and unknown ones", async () => {
    const response = await listPrices(sut, account.apiKey).expect(200);

    expect(response.body).toEqual({ prices: [SANDBOX_ON_OFFER[2], SANDBOX_ON_OFFER[0]] });
  });
});

const STRIPE_PRICES: FakePrice[] = [
  { id: 'price_pro_monthly', productName: 'Pro', unitAmount: 2000, interval: 'month' },
  { id: 'price_pro_yearly_eur', productName: 'Pro', unitAmount: 20000, interval: 'year', currency: 'eur' },
  { id: 'price_credits', productName: 'Credits', type: 'one_time', unitAmount: 900 },
  { id: 'price_retired', productName: 'Old plan', active: false },
  { id: 'price_of_archived_product', productName: 'Archived', productActive: false },
];

const STRIPE_ON_OFFER = [
  {
    id: 'price_pro_monthly',
    productName: 'Pro',
    unitAmount: 2000,
    currency: 'usd',
    interval: 'month',
    kind: 'recurring',
    active: true,
  },
  {
    id: 'price_pro_yearly_eur',
    productName: 'Pro',
    unitAmount: 20000,
    currency: 'eur',
    interval: 'year',
    kind: 'recurring',
    active: true,
  },
  {
    id: 'price_credits',
    productName: 'Credits',
    unitAmount: 900,
    currency: 'usd',
    interval: null,
    kind: 'one_time',
    active: true,
  },
];

describe('GET /api/prices (Stripe)', () => {
  const { fake, sut, account } = useStripeApp({ prices: STRIPE_PRICES, perTest: true });

  it("should list Stripe's active prices with their products, leaving out those of archived products", async () => {
    const response = await listPrices(sut, account.apiKey).expect(200);

    expect(response.body).toEqual({ prices: STRIPE_ON_OFFER });
    const [listing] = fake.received('GET', '/v1/prices');
    expect(listing.query).toMatchObject({ active: 'true', expand: ['data.product'], limit: '100' });
  });

  it('should answer from its cache for the catalogue TTL: one listing at Stripe for two requests', async () => {
    // The first test filled the cache; the fake's record was emptied since.
    await listPrices(sut, account.apiKey).expect(200);
    await listPrices(sut, account.apiKey).expect(200);

    expect(fake.requests).toEqual([]);
  });

  it('should answer 404 {error} for ?testMode=true without test-mode credentials, asking Stripe nothing', async () => {
    const response = await listPrices(sut, account.apiKey, '?testMode=true').expect(404);

    expect(response.body).toEqual({ error: 'Test mode is not configured' });
    expect(fake.requests).toEqual([]);
  });

  it('should answer 401 {error} for an unknown API key, asking Stripe nothing', async () => {
    const response = await listPrices(sut, `${account.apiKey}x`).expect(401);

    expect(response.body).toEqual({ error: expect.any(String) });
    expect(fake.requests).toEqual([]);
  });
});

describe('GET /api/prices (Stripe, test mode, no cache)', () => {
  const { fake, sut, account } = useStripeApp({
    prices: STRIPE_PRICES,
    env: {
      STRIPE_TEST_SECRET_KEY: STRIPE_TEST_KEY,
      STRIPE_TEST_WEBHOOK_SECRET: TEST_MODE_WEBHOOK_SECRET,
      PRICE_CACHE_TTL_MS: '0',
    },
    perTest: true,
  });

  it('should list with the test-mode key for ?testMode=true', async () => {
    const response = await listPrices(sut, account.apiKey, '?testMode=true').expect(200);

    expect(response.body).toEqual({ prices: STRIPE_ON_OFFER });
    expect(fake.received('GET', '/v1/prices').map((request) => request.apiKey)).toEqual([STRIPE_TEST_KEY]);
  });

  it('should answer 502 {error} when Stripe fails the listing', async () => {
    fake.injectFault({ kind: 'status', status: 400 }, { method: 'GET', path: /^\/v1\/prices$/ });

    const response = await listPrices(sut, account.apiKey).expect(502);

    expect(response.body).toEqual({ error: expect.any(String) });
  });
});

describe('GET /api/prices (Stripe, more than 100 prices)', () => {
  const many: FakePrice[] = Array.from({ length: 105 }, (_, index) => ({
    id: `price_plan_${String(index).padStart(3, '0')}`,
  }));
  const { sut, account } = useStripeApp({ prices: many, perTest: true });

  it('should list the first 100', async () => {
    const response = await listPrices(sut, account.apiKey).expect(200);

    expect((response.body.prices as { id: string }[]).map((price) => price.id)).toEqual(
      many.slice(0, 100).map((price) => price.id),
    );
  });
});

describe('GET /api/prices (Stripe, ALLOWED_PRICE_IDS)', () => {
  const { fake, sut, account } = useStripeApp({
    prices: STRIPE_PRICES,
    env: { ALLOWED_PRICE_IDS: 'price_credits,price_retired,price_unknown_here,price_pro_monthly' },
    perTest: true,
  });

  it('should look each allowed price up at Stripe and list those on offer, in the list’s order', async () => {
    const response = await listPrices(sut, account.apiKey).expect(200);

    expect(response.body).toEqual({ prices: [STRIPE_ON_OFFER[2], STRIPE_ON_OFFER[0]] });
    expect(fake.received('GET', '/v1/prices')).toEqual([]);
    expect(
      fake
        .received('GET', /^\/v1\/prices\//)
        .map((request) => request.path)
        .sort(),
    ).toEqual(
      ['price_credits', 'price_pro_monthly', 'price_retired', 'price_unknown_here'].map(
        (id) => `/v1/prices/${id}`,
      ),
    );
  });

  it('should share the lookups with checkout: a checkout of a listed price asks Stripe for no price', async () => {
    await listPrices(sut, account.apiKey).expect(200);
    await sut
      .http()
      .post('/api/billing/checkout')
      .set('x-api-key', account.apiKey)
      .send({
        priceId: 'price_pro_monthly',
        successUrl: `${APP_ORIGIN}/ok`,
        cancelUrl: `${APP_ORIGIN}/pricing`,
      })
      .expect(200);

    expect(fake.received('GET', /^\/v1\/prices/)).toEqual([]);
  });
});
