import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { createTestDatabase, TestDatabase } from './support/database';
import { LogLine, parseLogLines, rawRequest, randomHex, sleep, waitFor } from './support/process-helpers';
import { ServiceProcess, startServiceProcess } from './support/service-process';
import { APP_ORIGIN, createAccount, inventedApiKey, startTestApp } from './support/test-app';

// Secrets a client puts where they do not belong (the query string, the path, the request id)
// never reach the log: the service runs as its own process and its whole output is searched.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Exchange {
  name: string;
  status: number;
  requestId: string;
  body: string;
}

const isCompletion = (line: LogLine) =>
  line.res !== undefined && (line.msg === 'request completed' || line.msg === 'request errored');

describe('Secrets in the request line and the request id are not logged', () => {
  const jwtSecret = `log-redaction-jwt-secret-${randomHex(16)}`;
  const jwtSubject = `auth0|log-redaction-${randomHex(4)}`;
  const stripeShaped = {
    'Stripe live key': `sk_live_${randomHex(12)}Zz`,
    'Stripe test key': `sk_test_${randomHex(12)}Zz`,
    'Stripe restricted key': `rk_live_${randomHex(12)}Zz`,
    'webhook secret': `whsec_${randomBytes(18).toString('base64')}`,
  };
  let database: TestDatabase | undefined;
  let service: ServiceProcess | undefined;
  const exchanges: Exchange[] = [];
  const secrets: Array<{ name: string; value: string }> = [];
  let apiKey = '';
  let token = '';
  let checkoutId = '';
  let portalId = '';
  let output = '';

  const exchange = (name: string) => {
    const found = exchanges.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`no exchange ${name}`);
    return found;
  };
  /** The url pino-http logged for the request of this exchange. */
  const loggedUrl = (name: string) => {
    const { requestId } = exchange(name);
    const line = (parseLogLines(output) as LogLine[]).find(
      (candidate) => isCompletion(candidate) && candidate.req?.id === requestId,
    );
    return line?.req?.url;
  };

  beforeAll(async () => {
    database = await createTestDatabase({ shared: true });
    const env = {
      DATABASE_URL: database.url,
      LOG_LEVEL: 'debug',
      JWT_SECRET: jwtSecret,
      ALLOWED_REDIRECT_ORIGINS: APP_ORIGIN,
      RATE_LIMIT_PER_MINUTE: '100000',
    };
    // The accounts are made through the application itself, on the database the service uses.
    const setup = await startTestApp({ ...env, LOG_LEVEL: 'silent' }, { database });
    try {
      apiKey = (await createAccount(setup)).apiKey;
      await createAccount(setup, { externalId: jwtSubject });
    } finally {
      await setup.close();
    }
    token = jwt.sign({ sub: jwtSubject }, jwtSecret, { algorithm: 'HS256', expiresIn: 300 });

    service = await startServiceProcess(env);
    await sleep(200);
    const call = async (
      name: string,
      method: string,
      path: string,
      options: { headers?: Record<string, string>; body?: unknown } = {},
    ) => {
      const body = options.body === undefined ? undefined : JSON.stringify(options.body);
      const response = await rawRequest(`${service!.url}${path}`, { method, headers: options.headers, body });
      const result: Exchange = {
        name,
        status: response.status,
        requestId: String(response.headers['x-request-id']),
        body: response.body,
      };
      exchanges.push(result);
      return result;
    };

    const session = await call('sessions', 'POST', '/api/subscriptions/sessions', {
      headers: { 'x-api-key': apiKey },
      body: { successUrl: `${APP_ORIGIN}/welcome` },
    });
    checkoutId = (JSON.parse(session.body) as { id: string }).id;
    const portal = await call('portal', 'POST', '/api/subscriptions/portal', {
      headers: { 'x-api-key': apiKey },
      body: { returnUrl: `${APP_ORIGIN}/account` },
    });
    portalId = (JSON.parse(portal.body) as { id: string }).id;

    await call('apiKey in the query', 'GET', `/api/subscriptions/me?apiKey=${apiKey}`);
    await call('api_key in the query', 'GET', `/api/subscriptions/me?testMode=false&api_key=${apiKey}`);
    await call('key in the query, beside a header', 'GET', `/api/subscriptions/me?key=${apiKey}`, {
      headers: { 'x-api-key': apiKey },
    });
    await call('token in the query', 'GET', `/api/subscriptions/me?token=${token}`);
    await call('access_token in the query', 'GET', `/api/subscriptions/me?access_token=${token}&x=1`);
    await call('a key in the path', 'GET', `/api/subscriptions/${apiKey}`);
    await call('a JWT in the path', 'GET', `/api/${token}/me`);
    for (const [name, value] of Object.entries(stripeShaped))
      await call(`${name} in the path`, 'GET', `/api/keys/${encodeURIComponent(value)}`);
    await call('a key as the request id', 'GET', '/api/subscriptions/me', {
      headers: { 'x-api-key': apiKey, 'x-request-id': apiKey },
    });
    await call('a Stripe key as the request id', 'GET', '/api/subscriptions/me', {
      headers: { 'x-api-key': apiKey, 'x-request-id': stripeShaped['Stripe live key'] },
    });
    // Nearly-right headers get a 401 with a hint; the key they carried is still never logged.
    await call('a key in an api-key header', 'GET', '/api/subscriptions/me', {
      headers: { 'api-key': apiKey },
    });
    await call('a key in x-api-token', 'GET', '/api/subscriptions/me', {
      headers: { 'x-api-token': apiKey },
    });
    await call('a key after Authorization without Bearer', 'GET', '/api/subscriptions/me', {
      headers: { authorization: apiKey },
    });
    await call('the checkout page', 'GET', `/sandbox/checkout/${checkoutId}`);
    await call('the portal page', 'GET', `/sandbox/portal/${portalId}`);
    await call('an unknown checkout page', 'GET', `/sandbox/checkout/cs_sbx_${randomHex(12)}`);

    await waitFor(() => {
      const completed = new Set(
        (parseLogLines(service!.output()) as LogLine[]).filter(isCompletion).map((line) => line.req?.id),
      );
      return exchanges.every((sent) => completed.has(sent.requestId));
    }, 'the "request completed" line of every request');
    output = service.output();

    secrets.push(
      { name: 'API key', value: apiKey },
      { name: 'API key (secret part)', value: apiKey.slice('bsk_'.length + 32 + 1) },
      { name: 'JWT', value: token },
      { name: 'JWT signature', value: token.split('.')[2] },
      { name: 'JWT payload', value: token.split('.')[1] },
      { name: 'checkout page id', value: checkoutId },
      { name: 'portal page id', value: portalId },
      ...Object.entries(stripeShaped).map(([name, value]) => ({ name, value })),
      { name: 'webhook secret (URL-encoded)', value: encodeURIComponent(stripeShaped['webhook secret']) },
    );
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  it('should have answered every request without a server error', () => {
    expect(exchanges.filter((sent) => sent.status >= 500)).toEqual([]);
    expect(exchange('sessions').status).toBe(200);
    expect(exchange('portal').status).toBe(200);
    expect(exchange('the checkout page').status).toBe(200);
    expect(exchange('the portal page').status).toBe(200);
    expect(checkoutId).toMatch(/^cs_sbx_/);
    expect(portalId).toMatch(/^bps_sbx_/);
  });

  it('should log none of the secrets, wherever the client put them', () => {
    expect(output.length).toBeGreaterThan(0);
    expect(secrets.filter((secret) => output.includes(secret.value)).map((secret) => secret.name)).toEqual(
      [],
    );
  });

  it('should log the names of query parameters and none of their values', () => {
    expect(loggedUrl('apiKey in the query')).toBe('/api/subscriptions/me?apiKey=[redacted]');
    expect(loggedUrl('api_key in the query')).toBe(
      '/api/subscriptions/me?testMode=[redacted]&api_key=[redacted]',
    );
    expect(loggedUrl('key in the query, beside a header')).toBe('/api/subscriptions/me?key=[redacted]');
    expect(loggedUrl('token in the query')).toBe('/api/subscriptions/me?token=[redacted]');
    expect(loggedUrl('access_token in the query')).toBe(
      '/api/subscriptions/me?access_token=[redacted]&x=[redacted]',
    );
  });

  it('should log a path with the secret in it replaced, the rest kept', () => {
    expect(loggedUrl('a key in the path')).toBe('/api/subscriptions/[redacted]');
    expect(loggedUrl('a JWT in the path')).toBe('/api/[redacted]/me');
    expect(loggedUrl('Stripe live key in the path')).toBe('/api/keys/[redacted]');
  });

  it('should log the sandbox pages without their ids, which open the pages', () => {
    expect(loggedUrl('the checkout page')).toBe('/sandbox/checkout/[redacted]');
    expect(loggedUrl('the portal page')).toBe('/sandbox/portal/[redacted]');
    expect(loggedUrl('an unknown checkout page')).toBe('/sandbox/checkout/[redacted]');
  });

  it('should not take a secret as the request id: the request gets a new one', () => {
    for (const name of ['a key as the request id', 'a Stripe key as the request id']) {
      const sent = exchange(name);
      expect(sent.status).toBe(200);
      expect(sent.requestId).toMatch(UUID);
      expect(loggedUrl(name)).toBe('/api/subscriptions/me');
    }
  });

  it('should still log a request id a client chose sanely', async () => {
    const chosen = `log-redaction-${randomHex(4)}`;
    await rawRequest(`${service!.url}/api/subscriptions/me`, {
      headers: { 'x-api-key': inventedApiKey(), 'x-request-id': chosen },
    });
    await waitFor(() => service!.output().includes(`"id":"${chosen}"`), 'the line of the chosen id');
  });
});
