import { createHmac, generateKeyPairSync, KeyObject, randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
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

// Who may do what (docs/api.md#auth), end to end. Passport keeps its strategies in one registry per
// process, so each describe block boots its own app and closes it before the next one starts.

const UNAUTHORIZED_SIMPLE = { error: 'Authentication required' };
const UNAUTHORIZED_ENVELOPE = {
  success: false,
  error: { code: 'UNAUTHORIZED', message: 'Authentication required' },
};

/** Both ways to send a credential, on every 401. */
const CHALLENGES = 'ApiKey header="x-api-key", Bearer';

const ISSUER = 'https://issuer.example.com/';
const AUDIENCE = 'billing-sessions-api';

const nowSeconds = () => Math.floor(Date.now() / 1000);
const DAY = 86_400;
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Well formed (`bsk_` + 32 hex + `_` + 43 base64url), but no such key exists. */
const unknownApiKey = () => `bsk_${randomBytes(16).toString('hex')}_${randomBytes(32).toString('base64url')}`;

/** The same key with its secret part changed in one character. */
function withChangedSecret(apiKey: string): string {
  const last = apiKey.at(-1) === 'A' ? 'B' : 'A';
  return `${apiKey.slice(0, -1)}${last}`;
}

/** Registered claims for a token that passes every check, with `overrides` applied (undefined drops one). */
function claims(overrides: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = {
    iss: ISSUER,
    aud: AUDIENCE,
    iat: nowSeconds(),
    exp: nowSeconds() + 300,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
}

/** A token with `alg: none` and an empty signature, built by hand (libraries refuse to make one). */
function unsignedToken(payload: Record<string, unknown>): string {
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`;
}

/** An HS256 token built by hand with any byte string as the HMAC key. */
function hmacToken(header: Record<string, unknown>, payload: Record<string, unknown>, key: string): string {
  const signingInput = `${base64url({ typ: 'JWT', ...header, alg: 'HS256' })}.${base64url(payload)}`;
  return `${signingInput}.${createHmac('sha256', key).update(signingInput).digest('base64url')}`;
}

describe('Authentication with API keys', () => {
  let sut: TestApp;
  let account: TestAccount;

  beforeAll(async () => {
    sut = await startTestApp();
  });

  afterAll(async () => {
    await sut.close();
  });

  beforeEach(async () => {
    account = await createAccount(sut);
  });

  const getMe = (headers: Record<string, string> = {}) =>
    sut.http().get('/api/subscriptions/me').set(headers);
  const postSession = (headers: Record<string, string> = {}) =>
    sut
      .http()
      .post('/api/subscriptions/sessions')
      .set(headers)
      .send({ successUrl: `${APP_ORIGIN}/welcome` });
  const postCheckout = (headers: Record<string, string> = {}) =>
    sut
      .http()
      .post('/api/billing/checkout')
      .set(headers)
      .send({
        priceId: 'price_sandbox_monthly',
        successUrl: `${APP_ORIGIN}/ok`,
        cancelUrl: `${APP_ORIGIN}/cancel`,
      });

  /**
   * Every endpoint answers 401 in its own error shape for these headers, naming both schemes; a
   * credential sent the right way (and refused for what it is) gets no hint.
   */
  async function expectUnauthorizedEverywhere(headers: Record<string, string>): Promise<void> {
    const me = await getMe(headers);
    expect(me.status).toBe(401);
    expect(me.body).toEqual(UNAUTHORIZED_SIMPLE);
    const session = await postSession(headers);
    expect(session.status).toBe(401);
    expect(session.body).toEqual(UNAUTHORIZED_SIMPLE);
    const checkout = await postCheckout(headers);
    expect(checkout.status).toBe(401);
    expect(checkout.body).toEqual(UNAUTHORIZED_ENVELOPE);
    for (const response of [me, session, checkout]) {
      expect(response.headers['www-authenticate']).toBe(CHALLENGES);
      expect(response.headers['x-auth-hint']).toBeUndefined();
    }
  }

  /**
   * A credential sent nearly right: 401 as ever, with the hint in x-auth-hint everywhere and in
   * the envelope's details, and the key itself nowhere in the answer.
   */
  async function expectHint(headers: Record<string, string>, hint: string | RegExp): Promise<void> {
    const me = await getMe(headers);
    const session = await postSession(headers);
    const checkout = await postCheckout(headers);

    expect(me.body).toEqual(UNAUTHORIZED_SIMPLE);
    expect(session.body).toEqual(UNAUTHORIZED_SIMPLE);
    expect(checkout.body).toEqual({
      success: false,
      error: {
        code: 'UNAUTHORIZED',
        message: 'Authentication required',
        details: { hint: expect.any(String) },
      },
    });
    expect(checkout.body.error.details.hint).toMatch(hint);
    for (const response of [me, session, checkout]) {
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe(CHALLENGES);
      expect(response.headers['x-auth-hint']).toBe(checkout.body.error.details.hint);
      const answer = JSON.stringify({ headers: response.headers, body: response.body });
      expect(answer).not.toContain(account.apiKey);
      expect(answer).not.toContain(account.apiKey.slice(37));
    }
  }

  it.each(['api-key', 'apikey', 'x-api-token', 'api_key'])(
    'should hint at x-api-key when the key comes in %s',
    async (header) => {
      await expectHint(
        { [header]: account.apiKey },
        `The API key goes in the x-api-key header (this request sent ${header})`,
      );
    },
  );

  it('should hint at the Bearer scheme when Authorization carries the key alone', async () => {
    await expectHint(
      { authorization: account.apiKey },
      /^Authorization needs the scheme before the credential: Authorization: Bearer/,
    );
  });

  it('should hint at the Bearer scheme when Authorization uses another scheme', async () => {
    await expectHint(
      { authorization: `Basic ${Buffer.from(`${account.apiKey}:`).toString('base64')}` },
      /^Authorization takes the Bearer scheme only/,
    );
  });

  it('should hint that x-api-key takes the key without "Bearer "', async () => {
    await expectHint(
      { 'x-api-key': `Bearer ${account.apiKey}` },
      /^x-api-key takes the key alone: drop "Bearer "/,
    );
  });

  it('should accept an API key in x-api-key', async () => {
    const response = await getMe({ 'x-api-key': account.apiKey }).expect(200);
    expect(response.body).toEqual({ subscription: null });
  });

  it('should accept an API key as a Bearer credential', async () => {
    const response = await getMe({ authorization: `Bearer ${account.apiKey}` }).expect(200);
    expect(response.body).toEqual({ subscription: null });
  });

  it('should act for the key’s own account on every endpoint', async () => {
    const session = await postSession({ 'x-api-key': account.apiKey }).expect(200);
    expect(Object.keys(session.body).sort()).toEqual(['id', 'url']);
    const checkout = await postCheckout({ authorization: `Bearer ${account.apiKey}` }).expect(200);
    expect(checkout.body.success).toBe(true);
    expect(checkout.body.data.sessionId).toEqual(expect.any(String));
  });

  it('should answer 401 in each endpoint’s shape without a credential', async () => {
    await expectUnauthorizedEverywhere({});
  });

  it('should answer 401 for an empty x-api-key or an empty Bearer value', async () => {
    await expectUnauthorizedEverywhere({ 'x-api-key': '' });
    await expectUnauthorizedEverywhere({ authorization: 'Bearer ' });
  });

  it.each([
    ['not a key', 'not-an-api-key'],
    ['a short secret', `bsk_${'a'.repeat(32)}_${'b'.repeat(42)}`],
    ['upper-case hex in the id', `bsk_${'A'.repeat(32)}_${'b'.repeat(43)}`],
    ['a wrong prefix', `sk_${'a'.repeat(32)}_${'b'.repeat(43)}`],
  ])('should answer 401 for a malformed key (%s) in either header', async (_label, key) => {
    await expectUnauthorizedEverywhere({ 'x-api-key': key });
    await expectUnauthorizedEverywhere({ authorization: `Bearer ${key}` });
  });

  it('should answer 401 for a well-formed key that does not exist', async () => {
    const key = unknownApiKey();
    expect(key).toMatch(/^bsk_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    await expectUnauthorizedEverywhere({ 'x-api-key': key });
    await expectUnauthorizedEverywhere({ authorization: `Bearer ${key}` });
  });

  it('should answer 401 for an existing key id with a different secret', async () => {
    const forged = withChangedSecret(account.apiKey);
    expect(forged).not.toBe(account.apiKey);
    await expectUnauthorizedEverywhere({ 'x-api-key': forged });
  });

  it('should answer 401 once a key is revoked', async () => {
    await getMe({ 'x-api-key': account.apiKey }).expect(200);

    await sut.admin.revokeApiKey(account.apiKeyId);

    await expectUnauthorizedEverywhere({ 'x-api-key': account.apiKey });
    await expectUnauthorizedEverywhere({ authorization: `Bearer ${account.apiKey}` });
  });

  it('should keep the other keys of an account working when one is revoked', async () => {
    const second = await sut.admin.createApiKey({ accountId: account.accountId });
    await sut.admin.revokeApiKey(account.apiKeyId);

    await getMe({ 'x-api-key': second.apiKey }).expect(200);
    await getMe({ 'x-api-key': account.apiKey }).expect(401);
  });

  it('should answer 401 once a key has expired, even one that was used (and cached) before', async () => {
    const expiresAt = new Date(Date.now() + 1_000);
    const key = await sut.admin.createApiKey({ accountId: account.accountId, expiresAt });
    await getMe({ 'x-api-key': key.apiKey }).expect(200);

    await new Promise((resolve) => setTimeout(resolve, expiresAt.getTime() - Date.now() + 50));

    await expectUnauthorizedEverywhere({ 'x-api-key': key.apiKey });
    await expectUnauthorizedEverywhere({ authorization: `Bearer ${key.apiKey}` });
  });

  it('should accept a key whose expiry is still ahead', async () => {
    const key = await sut.admin.createApiKey({
      accountId: account.accountId,
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    await getMe({ 'x-api-key': key.apiKey }).expect(200);
  });

  it('should refuse a JWT when no JWT verification is configured', async () => {
    const token = jwt.sign({ sub: 'someone' }, 'a-secret-that-is-long-enough-for-hs256!!', {
      algorithm: 'HS256',
    });
    await expectUnauthorizedEverywhere({ authorization: `Bearer ${token}` });
  });
});

describe('Authentication with HS256 JWTs', () => {
  const secret = randomBytes(32).toString('hex');
  let sut: TestApp;
  let user: TestAccount;
  let platformAdmin: TestAccount;
  let target: TestAccount;

  beforeAll(async () => {
    sut = await startTestApp({ JWT_SECRET: secret, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE });
    user = await createAccount(sut, { name: 'JWT user', externalId: 'auth0|user-1' });
    platformAdmin = await createAccount(sut, {
      name: 'Platform',
      externalId: 'auth0|platform-admin',
      platformAdmin: true,
    });
    target = await createAccount(sut, { name: 'Target' });
  });

  afterAll(async () => {
    await sut.close();
  });

  const sign = (overrides: Record<string, unknown> = {}, key = secret, algorithm: jwt.Algorithm = 'HS256') =>
    jwt.sign(claims({ sub: 'auth0|user-1', ...overrides }), key, { algorithm });
  const signWithoutIat = (overrides: Record<string, unknown> = {}) =>
    jwt.sign(claims({ sub: 'auth0|user-1', iat: undefined, ...overrides }), secret, {
      algorithm: 'HS256',
      noTimestamp: true,
    });
  const getMe = (token: string, query = '') =>
    sut.http().get(`/api/subscriptions/me${query}`).set('authorization', `Bearer ${token}`);

  it('should accept a valid token whose sub is an account’s external id', async () => {
    const response = await getMe(sign()).expect(200);
    expect(response.body).toEqual({ subscription: null });
  });

  it('should act for the account the sub names', async () => {
    // The account of the subject may act for itself by id, which proves which account it is.
    await getMe(sign(), `?accountId=${user.accountId}`).expect(200);
    const other = await getMe(sign(), `?accountId=${target.accountId}`).expect(403);
    expect(other.body).toEqual({ error: expect.any(String) });
  });

  it('should still accept an API key as a Bearer credential', async () => {
    await sut.http().get('/api/subscriptions/me').set('authorization', `Bearer ${user.apiKey}`).expect(200);
  });

  it.each<[string, () => string]>([
    ['an unknown sub', () => sign({ sub: 'auth0|nobody' })],
    ['no sub', () => sign({ sub: undefined })],
    ['a sub that is not a string', () => sign({ sub: 12345 })],
    ['an expired token', () => sign({ iat: nowSeconds() - 600, exp: nowSeconds() - 60 })],
    ['a token not valid yet (nbf)', () => sign({ nbf: nowSeconds() + 3600 })],
    ['a wrong issuer', () => sign({ iss: 'https://evil.example.com/' })],
    ['no issuer', () => sign({ iss: undefined })],
    ['a wrong audience', () => sign({ aud: 'another-api' })],
    ['no audience', () => sign({ aud: undefined })],
    ['alg none', () => unsignedToken(claims({ sub: 'auth0|user-1' }))],
    ['another secret', () => sign({}, randomBytes(32).toString('hex'))],
    ['HS384 (not a configured algorithm)', () => sign({}, secret, 'HS384')],
    ['a tampered payload', () => tamper(sign(), { sub: 'auth0|platform-admin' })],
    ['a token that is not a JWT', () => 'this.is.not-a-jwt'],
    ['a token without exp', () => sign({ exp: undefined })],
    ['a token that lives ten years', () => sign({ exp: nowSeconds() + 10 * 365 * DAY })],
    [
      'a token that lives a minute longer than JWT_MAX_LIFETIME',
      () => sign({ exp: nowSeconds() + DAY + 60 }),
    ],
    [
      'a token without iat that expires later than JWT_MAX_LIFETIME from now',
      () => signWithoutIat({ exp: nowSeconds() + DAY + 60 }),
    ],
    [
      'a token issued in the future, for a lifetime within JWT_MAX_LIFETIME',
      () => sign({ iat: nowSeconds() + 365 * DAY, exp: nowSeconds() + 365 * DAY + 60 }),
    ],
    [
      'a token whose exp is not a number',
      () => hmacToken({}, claims({ sub: 'auth0|user-1', exp: String(nowSeconds() + 60) }), secret),
    ],
    [
      'a token whose iat is not a number',
      () => hmacToken({}, claims({ sub: 'auth0|user-1', iat: 'yesterday' }), secret),
    ],
  ])('should answer 401 for %s', async (_label, token) => {
    const value = token();
    const me = await getMe(value);
    expect(me.status).toBe(401);
    expect(me.body).toEqual(UNAUTHORIZED_SIMPLE);
    const checkout = await sut
      .http()
      .post('/api/billing/checkout')
      .set('authorization', `Bearer ${value}`)
      .send({
        priceId: 'price_sandbox_monthly',
        successUrl: `${APP_ORIGIN}/a`,
        cancelUrl: `${APP_ORIGIN}/b`,
      });
    expect(checkout.status).toBe(401);
    expect(checkout.body).toEqual(UNAUTHORIZED_ENVELOPE);
  });

  it('should accept a token that lives exactly JWT_MAX_LIFETIME (24 hours by default)', async () => {
    const issued = nowSeconds();
    await getMe(sign({ iat: issued, exp: issued + DAY })).expect(200);
  });

  it('should accept a token without iat that expires within JWT_MAX_LIFETIME', async () => {
    const token = signWithoutIat({ exp: nowSeconds() + DAY - 60 });
    expect(jwt.decode(token)).not.toHaveProperty('iat');
    await getMe(token).expect(200);
  });

  it('should refuse a token issued for longer than JWT_MAX_LIFETIME, though less than that is left', async () => {
    // Issued 30 days ago for 30 days and 1 hour: its lifetime is what counts, not what is left.
    const issued = nowSeconds() - 30 * DAY;
    const response = await getMe(sign({ iat: issued, exp: issued + 30 * DAY + 3600 }));
    expect(response.status).toBe(401);
    expect(response.body).toEqual(UNAUTHORIZED_SIMPLE);
  });

  it('should read the admin scope from a space-separated scope claim', async () => {
    const token = sign({ sub: 'auth0|platform-admin', scope: 'openid profile admin' });
    await getMe(token, `?accountId=${target.accountId}`).expect(200);
  });

  it('should read the admin scope from an scp array', async () => {
    const token = sign({ sub: 'auth0|platform-admin', scp: ['read', 'admin'] });
    await getMe(token, `?accountId=${target.accountId}`).expect(200);
  });

  it('should read the admin scope from a space-separated scp string', async () => {
    const token = sign({ sub: 'auth0|platform-admin', scp: 'read admin' });
    await getMe(token, `?accountId=${target.accountId}`).expect(200);
  });

  it.each<[string, Record<string, unknown>]>([
    ['no scope claim', {}],
    ['a scope without admin', { scope: 'openid profile' }],
    ['a scope that only contains the word admin', { scope: 'administrator admin:read' }],
    ['an scp without admin', { scp: ['read', 'write'] }],
  ])('should answer 403 to a platform admin acting for another account with %s', async (_label, extra) => {
    const token = sign({ sub: 'auth0|platform-admin', ...extra });
    const response = await getMe(token, `?accountId=${target.accountId}`).expect(403);
    expect(response.body).toEqual({ error: expect.any(String) });
  });

  it('should let the platform admin’s token act for itself without the admin scope', async () => {
    await getMe(sign({ sub: 'auth0|platform-admin' }), `?accountId=${platformAdmin.accountId}`).expect(200);
  });
});

describe('Authentication with JWTs under a JWT_MAX_LIFETIME of 90s', () => {
  const secret = randomBytes(32).toString('hex');
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ JWT_SECRET: secret, JWT_MAX_LIFETIME: '90s' });
    await createAccount(sut, { externalId: 'auth0|short-lived' });
  });

  afterAll(async () => {
    await sut.close();
  });

  const getMe = (lifetimeSeconds: number) => {
    const issued = nowSeconds();
    const token = jwt.sign({ sub: 'auth0|short-lived', iat: issued, exp: issued + lifetimeSeconds }, secret, {
      algorithm: 'HS256',
    });
    return sut.http().get('/api/subscriptions/me').set('authorization', `Bearer ${token}`);
  };

  it('should accept a token that lives up to 90 seconds', async () => {
    await getMe(60).expect(200);
    await getMe(90).expect(200);
  });

  it('should refuse a token that lives longer, which the default would accept', async () => {
    const response = await getMe(91).expect(401);
    expect(response.body).toEqual(UNAUTHORIZED_SIMPLE);
    await getMe(3600).expect(401);
  });
});

/** The token with its payload replaced and the original signature kept. */
function tamper(token: string, changes: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.');
  const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  return `${header}.${base64url({ ...decoded, ...changes })}.${signature}`;
}

describe('Authentication with JWTs verified through a JWKS', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const RSA_KID = 'rsa-key-1';
  const EC_KID = 'ec-key-1';
  let jwks: Server;
  let jwksRequests = 0;
  let sut: TestApp;

  beforeAll(async () => {
    const keys = [
      { ...rsa.publicKey.export({ format: 'jwk' }), kid: RSA_KID, alg: 'RS256', use: 'sig' },
      { ...ec.publicKey.export({ format: 'jwk' }), kid: EC_KID, alg: 'ES256', use: 'sig' },
    ];
    jwks = createServer((_request, response) => {
      jwksRequests++;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    sut = await startTestApp({
      JWT_JWKS_URI: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
    });
    await createAccount(sut, { name: 'JWKS user', externalId: 'jwks-user' });
  });

  afterAll(async () => {
    await sut?.close();
    jwks.closeAllConnections();
    await new Promise<void>((resolve) => jwks.close(() => resolve()));
  });

  const signWith = (key: KeyObject, algorithm: jwt.Algorithm, keyid: string, overrides = {}) =>
    jwt.sign(claims({ sub: 'jwks-user', ...overrides }), key, { algorithm, keyid });
  const getMe = (token: string) =>
    sut.http().get('/api/subscriptions/me').set('authorization', `Bearer ${token}`);

  it('should accept an RS256 token signed with a key from the JWKS', async () => {
    const response = await getMe(signWith(rsa.privateKey, 'RS256', RSA_KID)).expect(200);
    expect(response.body).toEqual({ subscription: null });
    expect(jwksRequests).toBeGreaterThan(0);
  });

  it('should accept an ES256 token signed with a key from the JWKS', async () => {
    await getMe(signWith(ec.privateKey, 'ES256', EC_KID)).expect(200);
  });

  it('should refuse an HS256 token whose HMAC key is the RSA public key (algorithm confusion)', async () => {
    const publicPem = rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const token = hmacToken({ kid: RSA_KID }, claims({ sub: 'jwks-user' }), publicPem);
    const response = await getMe(token).expect(401);
    expect(response.body).toEqual(UNAUTHORIZED_SIMPLE);
  });

  it('should refuse an HS256 token whose HMAC key is the JWK of the public key', async () => {
    const jwk = JSON.stringify(rsa.publicKey.export({ format: 'jwk' }));
    const token = hmacToken({ kid: RSA_KID }, claims({ sub: 'jwks-user' }), jwk);
    await getMe(token).expect(401);
  });

  it('should refuse an RS256 token signed with a key that is not in the JWKS', async () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await getMe(signWith(stranger.privateKey, 'RS256', RSA_KID)).expect(401);
  });

  it('should refuse an RS256 token naming a kid the JWKS does not have', async () => {
    await getMe(signWith(rsa.privateKey, 'RS256', 'unknown-kid')).expect(401);
  });

  it('should refuse alg none', async () => {
    await getMe(unsignedToken(claims({ sub: 'jwks-user' }))).expect(401);
  });

  it.each<[string, Record<string, unknown>]>([
    ['expired', { iat: nowSeconds() - 600, exp: nowSeconds() - 60 }],
    ['not valid yet', { nbf: nowSeconds() + 3600 }],
    ['from another issuer', { iss: 'https://evil.example.com/' }],
    ['for another audience', { aud: 'another-api' }],
    ['for an unknown subject', { sub: 'jwks-nobody' }],
    ['without exp', { exp: undefined }],
    ['valid for ten years', { exp: nowSeconds() + 10 * 365 * DAY }],
  ])('should refuse an RS256 token that is %s', async (_label, overrides) => {
    await getMe(signWith(rsa.privateKey, 'RS256', RSA_KID, overrides)).expect(401);
  });
});

describe('Acting for another account with accountId', () => {
  const { fake, sut } = useStripeApp({ prices: [{ id: SUBSCRIPTION_PRICE, type: 'recurring' }] });
  /** An ordinary key: no admin scope. */
  let plain: TestAccount;
  /** Admin scope, not a platform admin, no grant. */
  let scopedAdmin: TestAccount;
  /** Admin scope and a grant on `granted`. */
  let grantHolder: TestAccount;
  /** A platform admin's admin-scoped key. */
  let platformAdmin: TestAccount;
  let granted: TestAccount;
  let other: TestAccount;

  beforeAll(async () => {
    plain = await createAccount(sut, { name: 'Plain' });
    scopedAdmin = await createAccount(sut, { name: 'Scoped admin', scopes: ['admin'] });
    grantHolder = await createAccount(sut, { name: 'Grant holder', scopes: ['admin'] });
    platformAdmin = await createAccount(sut, { name: 'Platform', platformAdmin: true, scopes: ['admin'] });
    granted = await createAccount(sut, { name: 'Granted' });
    other = await createAccount(sut, { name: 'Other' });
    await sut.admin.addGrant(grantHolder.accountId, granted.accountId);
  });

  beforeEach(() => {
    fake.requests.length = 0;
  });

  const createSession = (apiKey: string, accountId?: unknown) =>
    sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', apiKey)
      .send({ successUrl: `${APP_ORIGIN}/welcome`, ...(accountId === undefined ? {} : { accountId }) });
  const getMe = (apiKey: string, accountId?: string) =>
    sut
      .http()
      .get('/api/subscriptions/me')
      .query(accountId === undefined ? {} : { accountId })
      .set('x-api-key', apiKey);

  /** The account the one checkout session this test sent to the fake Stripe was made for. */
  function sessionAccount(sessionId: string): { clientReferenceId: unknown; metadataAccountId: unknown } {
    expect(fake.sessions.has(sessionId)).toBe(true);
    const calls = fake.received('POST', '/v1/checkout/sessions');
    expect(calls).toHaveLength(1);
    const body = calls[0].body as {
      client_reference_id?: unknown;
      metadata?: Record<string, unknown>;
      subscription_data?: { metadata?: Record<string, unknown> };
    };
    // The subscription must carry the same owner as the session.
    expect(body.subscription_data?.metadata?.accountId).toBe(body.metadata?.accountId);
    return { clientReferenceId: body.client_reference_id, metadataAccountId: body.metadata?.accountId };
  }

  async function freshTarget(name: string, grantTo?: TestAccount): Promise<TestAccount> {
    const account = await createAccount(sut, { name });
    if (grantTo) await sut.admin.addGrant(grantTo.accountId, account.accountId);
    return account;
  }

  describe('acting for yourself', () => {
    it('should need no admin scope when the body names the caller’s own account', async () => {
      const self = await freshTarget('Self in body');
      const response = await createSession(self.apiKey, self.accountId).expect(200);
      expect(sessionAccount(response.body.id as string)).toEqual({
        clientReferenceId: self.accountId,
        metadataAccountId: self.accountId,
      });
    });

    it('should need no admin scope when the query names the caller’s own account', async () => {
      const response = await getMe(plain.apiKey, plain.accountId).expect(200);
      expect(response.body).toEqual({ subscription: null });
    });

    it('should treat the caller’s own id in upper case as acting for yourself', async () => {
      // UUIDs are case-insensitive (RFC 9562 §4) and the DTO accepts upper case.
      await getMe(plain.apiKey, plain.accountId.toUpperCase()).expect(200);
    });
  });

  describe('without the admin scope', () => {
    it('should answer 403 {error} for another account in the body, and call no provider', async () => {
      const response = await createSession(plain.apiKey, other.accountId).expect(403);
      expect(response.body).toEqual({ error: expect.any(String) });
      expect(fake.requests).toHaveLength(0);
    });

    it('should answer 403 for another account in the query', async () => {
      const response = await getMe(plain.apiKey, other.accountId).expect(403);
      expect(response.body).toEqual({ error: expect.any(String) });
    });

    it('should answer 403 even when the caller holds a grant on the target', async () => {
      const withGrantNoScope = await createAccount(sut, { name: 'Grant, no scope' });
      await sut.admin.addGrant(withGrantNoScope.accountId, other.accountId);
      await getMe(withGrantNoScope.apiKey, other.accountId).expect(403);
      await createSession(withGrantNoScope.apiKey, other.accountId).expect(403);
    });

    it('should answer 403 to a platform admin’s key without the admin scope', async () => {
      const unscoped = await sut.admin.createApiKey({ accountId: platformAdmin.accountId });
      await getMe(unscoped.apiKey, other.accountId).expect(403);
      await createSession(unscoped.apiKey, other.accountId).expect(403);
      expect(fake.requests).toHaveLength(0);
    });

    it('should answer 403 in the envelope on /api/billing/checkout', async () => {
      const response = await sut
        .http()
        .post('/api/billing/checkout')
        .query({ accountId: other.accountId })
        .set('x-api-key', plain.apiKey)
        .send({ priceId: SUBSCRIPTION_PRICE, successUrl: `${APP_ORIGIN}/a`, cancelUrl: `${APP_ORIGIN}/b` })
        .expect(403);
      expect(response.body).toEqual({
        success: false,
        error: { code: 'FORBIDDEN', message: expect.any(String) },
      });
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('with the admin scope', () => {
    it('should answer 403 without platform admin and without a grant', async () => {
      const session = await createSession(scopedAdmin.apiKey, other.accountId).expect(403);
      expect(session.body).toEqual({ error: expect.any(String) });
      await getMe(scopedAdmin.apiKey, other.accountId).expect(403);
      expect(fake.requests).toHaveLength(0);
    });

    it('should answer 403 for an account the grant does not cover', async () => {
      await createSession(grantHolder.apiKey, other.accountId).expect(403);
      await getMe(grantHolder.apiKey, other.accountId).expect(403);
    });

    it('should create the session for the target when the caller holds a grant on it', async () => {
      const target = await freshTarget('Granted target', grantHolder);
      const response = await createSession(grantHolder.apiKey, target.accountId).expect(200);

      expect(sessionAccount(response.body.id as string)).toEqual({
        clientReferenceId: target.accountId,
        metadataAccountId: target.accountId,
      });
      const [customerCall] = fake.received('POST', '/v1/customers');
      expect(customerCall.body.metadata).toEqual({ accountId: target.accountId });
    });

    it('should let a grant holder read the target’s subscription', async () => {
      const response = await getMe(grantHolder.apiKey, granted.accountId).expect(200);
      expect(response.body).toEqual({ subscription: null });
    });

    it('should create the session for any account when the caller is a platform admin', async () => {
      const target = await freshTarget('Any target');
      const response = await createSession(platformAdmin.apiKey, target.accountId).expect(200);
      expect(sessionAccount(response.body.id as string)).toEqual({
        clientReferenceId: target.accountId,
        metadataAccountId: target.accountId,
      });
    });

    it('should take accountId from the query of a POST too', async () => {
      const target = await freshTarget('Query target');
      const response = await sut
        .http()
        .post('/api/subscriptions/sessions')
        .query({ accountId: target.accountId })
        .set('x-api-key', platformAdmin.apiKey)
        .send({ successUrl: `${APP_ORIGIN}/welcome` })
        .expect(200);
      expect(sessionAccount(response.body.id as string).clientReferenceId).toBe(target.accountId);
    });

    it('should read the target’s subscription, not the caller’s, through GET /me?accountId=', async () => {
      const target = await freshTarget('Subscriber', grantHolder);
      const created = await createSession(platformAdmin.apiKey, target.accountId).expect(200);
      const { subscription } = fake.completeCheckout(created.body.id as string);
      const event = signedEvent('customer.subscription.created', subscription);
      await sut
        .http()
        .post('/api/webhooks/stripe')
        .set('stripe-signature', event.signature)
        .set('content-type', 'application/json')
        .send(event.payload)
        .expect(200);

      const asPlatformAdmin = await getMe(platformAdmin.apiKey, target.accountId).expect(200);
      expect(asPlatformAdmin.body.subscription).toMatchObject({ id: subscription.id, status: 'trialing' });
      const asGrantHolder = await getMe(grantHolder.apiKey, target.accountId).expect(200);
      expect(asGrantHolder.body.subscription).toMatchObject({ id: subscription.id });
      const asTarget = await getMe(target.apiKey).expect(200);
      expect(asTarget.body.subscription).toMatchObject({ id: subscription.id });
      const ownOfAdmin = await getMe(platformAdmin.apiKey).expect(200);
      expect(ownOfAdmin.body).toEqual({ subscription: null });
    });

    it('should act for the canonical account when a platform admin names it in upper case', async () => {
      // The same account on either database: PostgreSQL compares uuids case-insensitively, SQLite
      // compares text, and the provider must always see the id the service itself uses.
      const target = await freshTarget('Upper-case target');
      const response = await createSession(platformAdmin.apiKey, target.accountId.toUpperCase()).expect(200);
      expect(sessionAccount(response.body.id as string)).toEqual({
        clientReferenceId: target.accountId,
        metadataAccountId: target.accountId,
      });
    });

    it('should answer 404 for an unknown target account', async () => {
      const unknown = '4f6b7c1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e';
      const session = await createSession(platformAdmin.apiKey, unknown).expect(404);
      expect(session.body).toEqual({ error: expect.any(String) });
      await getMe(platformAdmin.apiKey, unknown).expect(404);
      await getMe(grantHolder.apiKey, unknown).expect(404);
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('an accountId that is not a UUID', () => {
    it.each<[string, unknown]>([
      ['a word', 'not-a-uuid'],
      ['an empty string', ''],
      ['a number', 12345],
      ['a uuid with trailing text', '4f6b7c1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e; drop'],
    ])('should answer 400 {error} for %s in the body', async (_label, accountId) => {
      const response = await createSession(platformAdmin.apiKey, accountId).expect(400);
      expect(response.body).toEqual({ error: expect.any(String) });
      expect(fake.requests).toHaveLength(0);
    });

    it('should answer 400 for a non-UUID in the query, with or without the admin scope', async () => {
      const admin = await getMe(platformAdmin.apiKey, 'not-a-uuid').expect(400);
      expect(admin.body).toEqual({ error: 'accountId must be a UUID' });
      const ordinary = await getMe(plain.apiKey, 'not-a-uuid').expect(400);
      expect(ordinary.body).toEqual({ error: 'accountId must be a UUID' });
    });
  });
});
