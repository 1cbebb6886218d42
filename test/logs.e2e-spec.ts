import jwt from 'jsonwebtoken';
import { createTestDatabase, TestDatabase } from './support/database';
import { FakeStripe } from './support/fake-stripe';
import { ServiceProcess, startServiceProcess } from './support/service-process';
import {
  APP_ORIGIN,
  inventedApiKey,
  signedEvent,
  startTestApp,
  SUBSCRIPTION_PRICE,
} from './support/test-app';
import {
  adminCli,
  CliRun,
  LogLine,
  outputLines,
  parseLogLines,
  randomHex,
  sleep,
  rawRequest,
  stopProcess,
  waitFor,
} from './support/process-helpers';

// Guarantee 10 (docs/guarantees.md), and request ids: the service, run as its own process the way an operator
// runs it, goes through a whole flow; its captured output is then read line by line.

const OTHER_PRICE = 'price_logs_team_monthly';
const UNSAFE_REQUEST_ID = 'not a sane request id; it has spaces';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Exchange {
  name: string;
  expectedStatus: number;
  status: number;
  requestId: string | undefined;
  body: string;
  sentRequestId?: string;
}

interface Secret {
  name: string;
  value: string;
}

/** pino-http's line for a finished request: "request completed", or "request errored" for a 5xx. */
const isCompletion = (line: LogLine) =>
  line.res !== undefined && (line.msg === 'request completed' || line.msg === 'request errored');

/** The names of the secrets whose value (or whose secret part) occurs in `text`. */
function leakedSecrets(text: string, secrets: Secret[]): string[] {
  return secrets.filter((secret) => text.includes(secret.value)).map((secret) => secret.name);
}

/** An API key and its secret part (`bsk_<id>_<secret>`), both to be looked for. */
function apiKeySecrets(name: string, apiKey: string): Secret[] {
  return [
    { name, value: apiKey },
    { name: `${name} (secret part)`, value: apiKey.slice('bsk_'.length + 32 + 1) },
  ];
}

// LOG_LEVEL=debug: the most the service writes short of trace (info writes a subset of it).
const LOG_LEVEL = 'debug';

describe(`Logs at LOG_LEVEL=${LOG_LEVEL} (guarantee 10)`, () => {
  const stripeKey = `sk_test_LogsSpecStripeKey${randomHex(12)}`;
  const webhookSecret = `whsec_LogsSpecWebhookSecret${randomHex(12)}`;
  const jwtSecret = `logs-spec-jwt-secret-${randomHex(16)}`;
  const jwtSubject = `auth0|logs-spec-${randomHex(4)}`;

  let fake: FakeStripe | undefined;
  let database: TestDatabase | undefined;
  let service: ServiceProcess | undefined;
  const cliRuns: CliRun[] = [];
  const exchanges: Exchange[] = [];
  const secrets: Secret[] = [];
  /** The service's output from the first request of the flow to the last log line of it. */
  let flowOutput = '';
  let output = '';

  const exchange = (name: string) => {
    const found = exchanges.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`no exchange ${name}`);
    return found;
  };

  beforeAll(async () => {
    fake = await new FakeStripe().start();
    fake.addPrice({ id: SUBSCRIPTION_PRICE, type: 'recurring' });
    fake.addPrice({ id: OTHER_PRICE, type: 'recurring' });
    database = await createTestDatabase({ shared: true });
    const env: Record<string, string> = {
      DATABASE_URL: database.url,
      LOG_LEVEL,
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: stripeKey,
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      STRIPE_API_URL: fake.url,
      STRIPE_TIMEOUT_MS: '5000',
      SUBSCRIPTION_PRICE_ID: SUBSCRIPTION_PRICE,
      JWT_SECRET: jwtSecret,
      ALLOWED_REDIRECT_ORIGINS: APP_ORIGIN,
      RATE_LIMIT_PER_MINUTE: '100000',
      SHUTDOWN_GRACE_MS: '3000',
    };

    // The operator's bootstrap: the app's own AdminService makes the schema and most accounts and
    // keys; the admin command line (with the service's whole environment, secrets included) runs
    // each of its commands once, all three at once. Each CLI run is a process that compiles and
    // boots the app, up to ~20 s on a loaded machine, so they are few and not one after another.
    const bootstrap = await startTestApp({ ...env, LOG_LEVEL: 'silent' }, { database });
    const keyFor = async (accountId: string) => {
      const { apiKeyId, apiKey } = await bootstrap.admin.createApiKey({ accountId });
      return { id: apiKeyId, key: apiKey };
    };
    let accountA: string;
    let keyB: { id: string; key: string };
    let keyD: { id: string; key: string };
    let keyRevoked: { id: string; key: string };
    try {
      ({ accountId: accountA } = await bootstrap.admin.createAccount({ name: 'Logs A' }));
      const { accountId: accountB } = await bootstrap.admin.createAccount({
        name: 'Logs B',
        email: 'b@example.com',
      });
      const { accountId: accountD } = await bootstrap.admin.createAccount({ name: 'Logs D' });
      keyB = await keyFor(accountB);
      keyD = await keyFor(accountD);
      keyRevoked = await keyFor(accountD);
    } finally {
      await bootstrap.close();
    }
    const cli = async (args: string[]) => {
      const result = await adminCli(args, env);
      cliRuns.push(result);
      if (result.code !== 0) throw new Error(`cli ${args.join(' ')} failed: ${result.stderr}`);
      return result.result!;
    };
    const [created] = await Promise.all([
      cli(['api-keys:create', '--account', accountA]),
      cli(['accounts:create', '--name', 'Logs C', '--external-id', jwtSubject]),
      cli(['api-keys:revoke', '--id', keyRevoked.id]),
    ]);
    const keyA = { id: String(created.apiKeyId), key: String(created.apiKey) };

    const token = jwt.sign({ sub: jwtSubject, scope: 'billing' }, jwtSecret, {
      algorithm: 'HS256',
      expiresIn: 300,
    });
    const forgedToken = jwt.sign({ sub: jwtSubject }, `${jwtSecret}-but-not-quite`, {
      algorithm: 'HS256',
      expiresIn: 300,
    });
    const wrongKey = inventedApiKey();

    // Compiled on the fly like the CLI: on a loaded machine it takes longer than the default 20 s.
    service = await startServiceProcess(env, { readyTimeoutMs: 60_000 });
    // The readiness probe's own log line may still be on its way; the flow starts after it.
    await sleep(200);
    const startedLength = service.output().length;

    const call = async (
      name: string,
      expectedStatus: number,
      method: string,
      path: string,
      options: {
        headers?: Record<string, string>;
        body?: unknown;
        rawBody?: string;
        requestId?: string;
      } = {},
    ) => {
      const headers = { ...options.headers };
      if (options.requestId !== undefined) headers['x-request-id'] = options.requestId;
      const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
      const response = await rawRequest(`${service!.url}${path}`, { method, headers, body });
      const requestId = response.headers['x-request-id'];
      const result: Exchange = {
        name,
        expectedStatus,
        status: response.status,
        requestId: typeof requestId === 'string' ? requestId : undefined,
        body: response.body,
        sentRequestId: options.requestId,
      };
      exchanges.push(result);
      return { ...result, json: () => JSON.parse(response.body) as Record<string, unknown> };
    };
    const apiKey = (key: string) => ({ 'x-api-key': key });
    const bearer = (value: string) => ({ authorization: `Bearer ${value}` });
    const welcome = { successUrl: `${APP_ORIGIN}/welcome` };

    // Account A: x-api-key, a checkout that the provider completes, its webhooks, portal, me.
    const session = await call('sessions (x-api-key)', 200, 'POST', '/api/subscriptions/sessions', {
      headers: apiKey(keyA.key),
      body: welcome,
    });
    const { session: completed, subscription } = fake.completeCheckout(String(session.json().id));
    const signatures: string[] = [];
    for (const [index, event] of [
      signedEvent('customer.subscription.created', subscription, { secret: webhookSecret }),
      signedEvent('checkout.session.completed', completed, { secret: webhookSecret }),
    ].entries()) {
      signatures.push(event.signature);
      await call(`webhook ${index + 1}`, 200, 'POST', '/api/webhooks/stripe', {
        headers: { 'stripe-signature': event.signature },
        rawBody: event.payload,
      });
    }
    const forged = signedEvent('customer.subscription.updated', subscription, {
      secret: 'whsec_not_the_endpoint_secret',
    });
    await call('webhook with a wrong signature', 400, 'POST', '/api/webhooks/stripe', {
      headers: { 'stripe-signature': forged.signature },
      rawBody: forged.payload,
    });
    await call('me (x-api-key)', 200, 'GET', '/api/subscriptions/me', { headers: apiKey(keyA.key) });
    await call('portal (x-api-key)', 200, 'POST', '/api/subscriptions/portal', {
      headers: apiKey(keyA.key),
      body: { returnUrl: `${APP_ORIGIN}/account` },
    });
    await call('sessions again: 409', 409, 'POST', '/api/subscriptions/sessions', {
      headers: apiKey(keyA.key),
      body: welcome,
      requestId: `logs-spec-409-${randomHex(4)}`,
    });

    // Account B: Bearer API key on the billing checkout.
    await call('billing checkout (Bearer API key)', 200, 'POST', '/api/billing/checkout', {
      headers: bearer(keyB.key),
      body: { priceId: OTHER_PRICE, successUrl: `${APP_ORIGIN}/ok`, cancelUrl: `${APP_ORIGIN}/cancel` },
    });
    await call('me (Bearer API key)', 200, 'GET', '/api/subscriptions/me', { headers: bearer(keyB.key) });

    // Account C: Bearer JWT.
    await call('sessions (Bearer JWT)', 200, 'POST', '/api/subscriptions/sessions', {
      headers: bearer(token),
      body: welcome,
    });
    await call('me (Bearer JWT)', 200, 'GET', '/api/subscriptions/me', { headers: bearer(token) });

    // Error cases.
    await call('401 wrong x-api-key', 401, 'GET', '/api/subscriptions/me', {
      headers: apiKey(wrongKey),
      requestId: `logs-spec-401-${randomHex(4)}`,
    });
    await call('401 wrong Bearer API key', 401, 'POST', '/api/billing/checkout', {
      headers: bearer(wrongKey),
      body: { priceId: OTHER_PRICE, successUrl: `${APP_ORIGIN}/ok`, cancelUrl: `${APP_ORIGIN}/cancel` },
    });
    await call('401 forged JWT', 401, 'GET', '/api/subscriptions/me', { headers: bearer(forgedToken) });
    await call('401 revoked API key', 401, 'GET', '/api/subscriptions/me', {
      headers: apiKey(keyRevoked.key),
    });
    await call('400 missing successUrl', 400, 'POST', '/api/subscriptions/sessions', {
      headers: apiKey(keyB.key),
      body: {},
    });
    await call('400 broken JSON', 400, 'POST', '/api/billing/checkout', {
      headers: bearer(keyB.key),
      rawBody: '{"priceId": ',
    });
    await call('404 portal without a customer', 404, 'POST', '/api/subscriptions/portal', {
      headers: apiKey(keyD.key),
      body: { returnUrl: `${APP_ORIGIN}/account` },
      requestId: UNSAFE_REQUEST_ID,
    });
    await call('404 test mode not configured', 404, 'GET', '/api/subscriptions/me?testMode=true', {
      headers: bearer(token),
    });
    fake.injectFault(
      { kind: 'status', status: 500, retryHeader: false },
      { method: 'POST', path: /^\/v1\/checkout\/sessions$/ },
    );
    await call('502 provider fault', 502, 'POST', '/api/billing/checkout', {
      headers: apiKey(keyD.key),
      body: { priceId: OTHER_PRICE, successUrl: `${APP_ORIGIN}/ok`, cancelUrl: `${APP_ORIGIN}/cancel` },
    });

    // Every request of the flow has been logged (pino-http writes its line when the response ends).
    await waitFor(() => {
      const completed = new Set(
        (parseLogLines(service!.output()) as LogLine[]).filter(isCompletion).map((line) => line.req?.id),
      );
      return exchanges.every((sent) => completed.has(sent.requestId));
    }, 'the "request completed" line of every request of the flow');
    output = service.output();
    flowOutput = output.slice(startedLength);

    secrets.push(
      ...apiKeySecrets('API key A', keyA.key),
      ...apiKeySecrets('API key B', keyB.key),
      ...apiKeySecrets('API key D', keyD.key),
      ...apiKeySecrets('revoked API key', keyRevoked.key),
      ...apiKeySecrets('wrong API key', wrongKey),
      { name: 'JWT', value: token },
      { name: 'JWT signature', value: token.split('.')[2] },
      { name: 'forged JWT', value: forgedToken },
      { name: 'forged JWT signature', value: forgedToken.split('.')[2] },
      { name: 'JWT secret', value: jwtSecret },
      { name: 'Stripe secret key', value: stripeKey },
      { name: 'Stripe secret key (secret part)', value: stripeKey.slice('sk_test_'.length) },
      { name: 'webhook secret', value: webhookSecret },
      { name: 'webhook secret (secret part)', value: webhookSecret.slice('whsec_'.length) },
      ...signatures.map((value, index) => ({ name: `Stripe-Signature ${index + 1}`, value })),
      ...signatures.map((value, index) => ({
        name: `Stripe-Signature ${index + 1} (v1)`,
        value: /v1=([0-9a-f]+)/.exec(value)![1],
      })),
      { name: 'wrong Stripe-Signature', value: forged.signature },
    );
    // Four processes (three CLI runs at once, then the service) that each compile and boot the app:
    // up to ~20 s each on a loaded machine, then the flow.
  }, 120_000);

  afterAll(async () => {
    if (service) await stopProcess(service.child, 'SIGTERM', 5_000);
    await fake?.stop();
    await database?.drop();
  });

  it('should have answered every request of the flow with the expected status', () => {
    const statuses = exchanges.map(({ name, status }) => ({ name, status }));
    expect(statuses).toEqual(exchanges.map(({ name, expectedStatus }) => ({ name, status: expectedStatus })));
    expect(exchanges.length).toBeGreaterThanOrEqual(20);
    // The provider calls were made with the configured key: its absence from the logs means something.
    expect(fake!.requests.length).toBeGreaterThan(0);
    expect(new Set(fake!.requests.map((request) => request.apiKey))).toEqual(new Set([stripeKey]));
  });

  it('should write nothing but JSON log lines, on stdout and stderr alike', () => {
    const lines = parseLogLines(output);
    expect(lines.length).toBeGreaterThan(exchanges.length);
    const notJson = lines.filter((line) => typeof line === 'string');
    expect(notJson).toEqual([]);
    for (const line of lines as LogLine[]) {
      expect(line).toEqual(
        expect.objectContaining({
          level: expect.any(Number),
          time: expect.any(Number),
          msg: expect.any(String),
        }),
      );
    }
  });

  it('should put a request id on every line logged while handling a request', () => {
    const lines = parseLogLines(flowOutput) as LogLine[];
    expect(lines.length).toBeGreaterThanOrEqual(exchanges.length);
    const withoutRequestId = lines.filter((line) => typeof line.req?.id !== 'string' || line.req.id === '');
    expect(withoutRequestId).toEqual([]);
    // ...and that id is the one the response carried in x-request-id.
    const answered = new Set(exchanges.map((sent) => sent.requestId));
    const strangers = lines.filter((line) => !answered.has(line.req!.id)).map((line) => line.req!.id);
    expect(strangers).toEqual([]);
  });

  it('should log each request once when it ends, under the id and with the status of its response', () => {
    const completions = (parseLogLines(flowOutput) as LogLine[]).filter(isCompletion);
    const logged = exchanges.map((sent) => {
      const mine = completions.filter((line) => line.req?.id === sent.requestId);
      return { name: sent.name, lines: mine.length, statusCode: mine[0]?.res?.statusCode };
    });
    expect(logged).toEqual(exchanges.map((sent) => ({ name: sent.name, lines: 1, statusCode: sent.status })));
  });

  it('should send x-request-id on every response, error responses included', () => {
    const missing = exchanges.filter((sent) => !sent.requestId).map((sent) => sent.name);
    expect(missing).toEqual([]);
    const errors = exchanges.filter((sent) => sent.status >= 400);
    expect(errors.map((sent) => sent.status).sort()).toEqual(
      expect.arrayContaining([400, 401, 404, 409, 502]),
    );
    // Distinct requests, distinct ids.
    expect(new Set(exchanges.map((sent) => sent.requestId)).size).toBe(exchanges.length);
  });

  it("should keep a caller's sane x-request-id and replace an unsafe one with a UUID", () => {
    const kept = exchanges.filter((sent) => sent.sentRequestId?.startsWith('logs-spec-'));
    expect(kept.length).toBe(2);
    for (const sent of kept) expect(sent.requestId).toBe(sent.sentRequestId);
    const replaced = exchange('404 portal without a customer');
    expect(replaced.requestId).toMatch(UUID);
    const ids = (parseLogLines(output) as LogLine[]).map((line) => line.req?.id);
    expect(ids).toContain(replaced.requestId);
    expect(ids).not.toContain(UNSAFE_REQUEST_ID);
    const generated = exchanges.filter((sent) => sent.sentRequestId === undefined);
    for (const sent of generated) expect(sent.requestId).toMatch(UUID);
  });

  it('should log the provider fault as an error under the id of the 502 response', () => {
    const fault = exchange('502 provider fault');
    expect(fault.body).toContain('PAYMENT_PROVIDER_ERROR');
    const lines = (parseLogLines(flowOutput) as LogLine[]).filter((line) => line.req?.id === fault.requestId);
    const failure = lines.find((line) => line.msg === 'request failed');
    expect(failure).toEqual(
      expect.objectContaining({
        level: 50,
        context: 'ApiExceptionFilter',
        code: 'PAYMENT_PROVIDER_ERROR',
        status: 502,
        err: expect.objectContaining({ message: expect.any(String) }),
      }),
    );
    expect(lines.find(isCompletion)).toEqual(
      expect.objectContaining({ level: 50, msg: 'request errored', res: { statusCode: 502 } }),
    );
  });

  it('should log an error response under the request id the response carried (401 and 409)', () => {
    for (const name of ['401 wrong x-api-key', 'sessions again: 409']) {
      const sent = exchange(name);
      expect(flowOutput).toContain(`"id":"${sent.requestId}"`);
      const line = (parseLogLines(flowOutput) as LogLine[]).find(
        (candidate) => candidate.req?.id === sent.requestId,
      );
      expect(line).toEqual(
        expect.objectContaining({ level: 40, res: { statusCode: sent.status }, msg: 'request completed' }),
      );
    }
  });

  it('should log no API key, JWT, Stripe key, webhook secret, Stripe-Signature or JWT secret', () => {
    expect(secrets.length).toBeGreaterThan(20);
    expect(leakedSecrets(output, secrets)).toEqual([]);
  });

  it('should log no credential header of a request but as "[redacted]"', () => {
    const requests = (parseLogLines(output) as LogLine[]).filter((line) => line.req !== undefined);
    expect(requests.length).toBeGreaterThanOrEqual(exchanges.length);
    // The request serializer keeps id, method and url; should it ever log headers, REDACTED_PATHS
    // must censor the credentials in them.
    const credentialValues = requests.flatMap((line) => {
      const headers = (line.req!.headers ?? {}) as Record<string, unknown>;
      return ['authorization', 'x-api-key', 'stripe-signature', 'cookie']
        .filter((name) => headers[name] !== undefined)
        .map((name) => ({ name, value: headers[name] }));
    });
    expect(credentialValues.filter(({ value }) => value !== '[redacted]')).toEqual([]);
    const withHeaders = requests.filter((line) => line.req!.headers !== undefined);
    if (withHeaders.length > 0) expect(credentialValues.length).toBeGreaterThan(0);
    else
      expect(new Set(requests.map((line) => Object.keys(line.req!).sort().join(',')))).toEqual(
        new Set(['id,method,url']),
      );
  });

  it('should print an API key only once, in the api-keys:create result, and no other secret from the CLI', () => {
    expect(cliRuns.map((run) => run.args[0]).sort()).toEqual([
      'accounts:create',
      'api-keys:create',
      'api-keys:revoke',
    ]);
    for (const run of cliRuns) {
      expect({ args: run.args, code: run.code, stderr: run.stderr }).toEqual({
        args: run.args,
        code: 0,
        stderr: '',
      });
      expect(outputLines(run.stdout)).toHaveLength(1);
    }
    const created = cliRuns.filter((run) => run.args[0] === 'api-keys:create');
    expect(created).toHaveLength(1);
    for (const run of created) {
      const key = String(run.result!.apiKey);
      expect(key).toMatch(/^bsk_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
      // The key is the value of `apiKey` and of no other field of the result.
      const fieldsWithKey = Object.entries(run.result!).filter(([, value]) =>
        JSON.stringify(value).includes(key),
      );
      expect(fieldsWithKey.map(([field]) => field)).toEqual(['apiKey']);
      const printedIn = cliRuns.filter((other) => `${other.stdout}${other.stderr}`.includes(key));
      expect(printedIn).toEqual([run]);
    }
    // The CLI ran with the service's environment: none of its secrets may show.
    const others = secrets.filter((secret) => /Stripe|webhook|JWT secret/.test(secret.name));
    const cliText = cliRuns.map((run) => `${run.stdout}${run.stderr}`).join('\n');
    expect(leakedSecrets(cliText, others)).toEqual([]);
    const revoke = cliRuns.find((run) => run.args[0] === 'api-keys:revoke')!;
    expect(revoke.stdout).not.toContain('bsk_');
  });
});
