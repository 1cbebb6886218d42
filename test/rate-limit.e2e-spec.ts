import {
  APP_ORIGIN,
  createAccount,
  inventedApiKey,
  startTestApp,
  TestAccount,
  TestApp,
} from './support/test-app';

const LIMIT = 5;

describe('Rate limits (RATE_LIMIT_PER_MINUTE)', () => {
  let sut: TestApp;
  let account: TestAccount;

  beforeAll(async () => {
    sut = await startTestApp({ RATE_LIMIT_PER_MINUTE: String(LIMIT) });
  });

  afterAll(() => sut.close());

  beforeEach(async () => {
    account = await createAccount(sut);
  });

  const me = (apiKey?: string) => {
    const call = sut.http().get('/api/subscriptions/me');
    return apiKey ? call.set('x-api-key', apiKey) : call;
  };

  it('should answer 429 in the endpoint’s own shape, with Retry-After, past the limit of a credential', async () => {
    for (let i = 0; i < LIMIT; i++) await me(account.apiKey).expect(200);

    const limited = await me(account.apiKey).expect(429);
    const billing = await sut
      .http()
      .post('/api/billing/checkout')
      .set('x-api-key', account.apiKey)
      .send({ priceId: 'price_sandbox_monthly', successUrl: APP_ORIGIN, cancelUrl: APP_ORIGIN })
      .expect(429);

    expect(limited.body).toEqual({ error: 'Too many requests; retry later' });
    expect(billing.body).toEqual({
      success: false,
      error: { code: 'RATE_LIMITED', message: 'Too many requests; retry later' },
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('should count each credential on its own', async () => {
    const other = await createAccount(sut);
    for (let i = 0; i < LIMIT; i++) await me(account.apiKey).expect(200);
    await me(account.apiKey).expect(429);

    await me(other.apiKey).expect(200);
  });

  it('should limit an IP that keeps inventing credentials: 401s count against it', async () => {
    for (let i = 0; i < LIMIT; i++) await me(inventedApiKey()).expect(401);

    const limited = await me(inventedApiKey()).expect(429);
    expect(limited.headers['retry-after']).toBeDefined();
  });

  it('should never limit /health', async () => {
    for (let i = 0; i < LIMIT + 3; i++) await sut.http().get('/health').expect(200);
  });
});
