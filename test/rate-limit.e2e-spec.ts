import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import {
  APP_ORIGIN,
  createAccount,
  inventedApiKey,
  startTestApp,
  TestAccount,
  TestApp,
} from './support/test-app';

const LIMIT = 5;
const JWT_SECRET = randomBytes(32).toString('hex');

describe('Rate limits (RATE_LIMIT_PER_MINUTE)', () => {
  let sut: TestApp;
  let account: TestAccount;

  beforeAll(async () => {
    sut = await startTestApp({ RATE_LIMIT_PER_MINUTE: String(LIMIT), JWT_SECRET });
  });

  afterAll(() => sut.close());

  beforeEach(async () => {
    account = await createAccount(sut);
  });

  const me = (apiKey?: string) => {
    const call = sut.http().get('/api/subscriptions/me');
    return apiKey ? call.set('x-api-key', apiKey) : call;
  };
  const meWith = (headers: Record<string, string>) => sut.http().get('/api/subscriptions/me').set(headers);
  const token = (sub: string, claims: Record<string, unknown> = {}) =>
    jwt.sign({ sub, ...claims }, JWT_SECRET, { algorithm: 'HS256', expiresIn: 300 });

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

  it('should count a key however its header is spelled, once the plain key is limited', async () => {
    for (let i = 0; i < LIMIT; i++) await me(account.apiKey).expect(200);
    await me(account.apiKey).expect(429);

    const spellings: Record<string, string>[] = [
      { authorization: `bEaReR   ${account.apiKey}` },
      { authorization: `Bearer ${account.apiKey}` },
      { authorization: `BEARER\t${account.apiKey}` },
      { authorization: `Bearer ${account.apiKey}`, 'x-api-key': inventedApiKey() },
      { authorization: `Bearer ${account.apiKey}`, 'x-api-key': 'anything at all' },
      { 'x-api-key': account.apiKey, authorization: `Bearer ${inventedApiKey()}` },
    ];
    const statuses = [];
    for (const headers of spellings) statuses.push((await meWith(headers)).status);

    expect(statuses).toEqual(spellings.map(() => 429));
  });

  it('should give two keys of the same account a budget each', async () => {
    const second = await sut.admin.createApiKey({ accountId: account.accountId });
    for (let i = 0; i < LIMIT; i++) await me(account.apiKey).expect(200);
    await me(account.apiKey).expect(429);

    await me(second.apiKey).expect(200);
  });

  it('should count JWTs by their subject, whatever else differs between the tokens', async () => {
    const subject = `auth0|rate-${randomBytes(4).toString('hex')}`;
    await createAccount(sut, { externalId: subject });
    const other = `auth0|rate-${randomBytes(4).toString('hex')}`;
    await createAccount(sut, { externalId: other });
    for (let i = 0; i < LIMIT; i++)
      await meWith({ authorization: `Bearer ${token(subject, { jti: `a${i}` })}` }).expect(200);

    const fresh = await meWith({ authorization: `bearer ${token(subject, { jti: 'b', scope: 'x' })}` });
    expect(fresh.status).toBe(429);
    await meWith({ authorization: `Bearer ${token(other)}` }).expect(200);
  });

  it('should not let one IP’s requests with other credentials use up a credential’s budget', async () => {
    const others = await Promise.all([createAccount(sut), createAccount(sut)]);
    for (const other of others) for (let i = 0; i < LIMIT; i++) await me(other.apiKey).expect(200);

    await me(account.apiKey).expect(200);
  });

  it('should limit a route without authentication per IP, whatever credential headers come along', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) {
      const response = await sut
        .http()
        .get(`/sandbox/checkout/cs_sbx_${randomBytes(12).toString('hex')}`)
        .set('x-api-key', inventedApiKey())
        .set('authorization', `Bearer ${randomBytes(8).toString('hex')}`);
      statuses.push(response.status);
    }

    expect(statuses.slice(0, LIMIT)).not.toContain(429);
    expect(statuses.slice(LIMIT)).toEqual([429, 429]);
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
