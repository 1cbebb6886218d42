import request from 'supertest';
import { sql } from 'kysely';
import { useStripeApp } from './support/stripe-app';
import { APP_ORIGIN, createAccount, SUBSCRIPTION_PRICE, TestAccount } from './support/test-app';

// Guarantees 5 and 8 (docs/guarantees.md): bad input of any kind gets a 4xx in the endpoint's own error
// shape, never a 5xx, and writes nothing (no local rows, no provider call).

const BILLING_PRICE = 'price_pro_monthly';
const ONE_TIME_PRICE = 'price_one_time_setup';
const INACTIVE_PRICE = 'price_retired_plan';
const MAX_JSON_BODY_BYTES = 100 * 1024;
const MAX_URL_LENGTH = 2048;

type Shape = 'simple' | 'envelope';

interface Endpoint {
  name: string;
  path: string;
  shape: Shape;
  /** A body that succeeds (the control request). */
  valid: Record<string, unknown>;
  /** The redirect URL fields of the body. */
  urlFields: string[];
  /** The required field whose absence is reported first, and the seed's message for it. */
  firstRequired: string;
  /** Which test account sends the request (the portal needs one with a provider customer). */
  account: 'fresh' | 'withCustomer';
}

interface BadCase {
  name: string;
  body: string | Buffer;
  contentType?: string;
  query?: string;
  status?: number;
  message?: string | RegExp;
}

const json = (value: unknown): string => JSON.stringify(value);

const SESSIONS: Endpoint = {
  name: 'POST /api/subscriptions/sessions',
  path: '/api/subscriptions/sessions',
  shape: 'simple',
  valid: { successUrl: `${APP_ORIGIN}/welcome?subscription=success` },
  urlFields: ['successUrl'],
  firstRequired: 'successUrl',
  account: 'fresh',
};

const PORTAL: Endpoint = {
  name: 'POST /api/subscriptions/portal',
  path: '/api/subscriptions/portal',
  shape: 'simple',
  valid: { returnUrl: `${APP_ORIGIN}/settings/billing` },
  urlFields: ['returnUrl'],
  firstRequired: 'returnUrl',
  account: 'withCustomer',
};

const BILLING: Endpoint = {
  name: 'POST /api/billing/checkout',
  path: '/api/billing/checkout',
  shape: 'envelope',
  valid: {
    priceId: BILLING_PRICE,
    successUrl: `${APP_ORIGIN}/dashboard?checkout=success`,
    cancelUrl: `${APP_ORIGIN}/pricing?checkout=cancelled`,
  },
  urlFields: ['successUrl', 'cancelUrl'],
  firstRequired: 'priceId',
  account: 'fresh',
};

const ENDPOINTS = [SESSIONS, PORTAL, BILLING];

const longUrl = (length: number): string => {
  const prefix = `${APP_ORIGIN}/`;
  return prefix + 'a'.repeat(length - prefix.length);
};

/** URLs that are not absolute http(s) URLs without credentials, whitespace or control characters. */
const MALFORMED_URLS: Array<[string, string]> = [
  ['a relative path', '/dashboard?checkout=success'],
  ['a protocol-relative URL', '//app.example.com/dashboard'],
  ['a URL without a scheme', 'app.example.com/dashboard'],
  ['an empty string', ''],
  ['a javascript: URL', 'javascript:alert(document.cookie)'],
  ['a javascript: URL dressed as a host', 'javascript://app.example.com/%0Aalert(1)'],
  ['a data: URL', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='],
  ['an ftp: URL', 'ftp://app.example.com/file'],
  ['a file: URL', 'file:///etc/passwd'],
  ['a URL with user and password', 'https://user:pass@app.example.com/'],
  ['a URL with a user name only', 'https://user@app.example.com/'],
  [`a URL longer than ${MAX_URL_LENGTH} characters`, longUrl(MAX_URL_LENGTH + 1)],
  ['a URL with a space', `${APP_ORIGIN}/a b`],
  ['a URL with a leading space', ` ${APP_ORIGIN}/`],
  ['a URL with a trailing newline', `${APP_ORIGIN}/\n`],
  ['a URL with a tab', `${APP_ORIGIN}/a\tb`],
  ['a URL with CR LF (header injection)', `${APP_ORIGIN}/\r\nLocation: https://evil.example.com/`],
  ['a URL with a NUL character', `${APP_ORIGIN}/\u0000`],
  ['a URL with a DEL character', `${APP_ORIGIN}/\u007f`],
  ['a URL with a no-break space', `${APP_ORIGIN}/\u00a0`],
  ['a URL with a line separator', `${APP_ORIGIN}/\u2028`],
];

/** Well-formed URLs on origins that ALLOWED_REDIRECT_ORIGINS does not list. */
const FOREIGN_ORIGIN_URLS: Array<[string, string]> = [
  ['another origin', 'https://evil.example.com/'],
  ['a look-alike domain', 'https://app.example.com.evil.example/'],
  ['a subdomain of the allowed host', 'https://evil.app.example.com/'],
  ['the allowed host over http', 'http://app.example.com/'],
  ['the allowed host on another port', 'https://app.example.com:8443/'],
  ['a backslash trick', 'https://evil.example.com\\@app.example.com/'],
  ['a localhost look-alike', 'http://localhost.evil.example/'],
  ['a loopback IP instead of localhost', 'http://127.0.0.1:3000/'],
];

function commonCases(endpoint: Endpoint): BadCase[] {
  const { valid, firstRequired } = endpoint;
  const required = `${firstRequired} is required`;
  const validJson = json(valid);
  const cases: BadCase[] = [
    { name: 'broken JSON', body: `{"${firstRequired}": `, message: 'Request body is not valid JSON' },
    { name: 'JSON with trailing garbage', body: `${validJson}}`, message: 'Request body is not valid JSON' },
    {
      name: 'JSON with single quotes',
      body: validJson.replace(/"/g, "'"),
      message: 'Request body is not valid JSON',
    },
    {
      name: 'a body that is not UTF-8',
      body: Buffer.concat([
        Buffer.from(validJson.slice(0, -2)),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}'),
      ]),
      message: 'Request body is not valid JSON',
    },
    { name: 'a JSON array', body: json([valid]), message: 'Request body must be a JSON object' },
    { name: 'an empty JSON array', body: '[]', message: 'Request body must be a JSON object' },
    { name: 'a JSON string', body: json(`${APP_ORIGIN}/`), message: 'Request body must be a JSON object' },
    { name: 'a JSON number', body: '42', message: 'Request body must be a JSON object' },
    { name: 'a JSON boolean', body: 'true', message: 'Request body must be a JSON object' },
    { name: 'a null body', body: 'null', message: required },
    { name: 'an empty body', body: '', message: required },
    { name: 'an empty object', body: '{}', message: required },
    { name: `${firstRequired}: null`, body: json({ ...valid, [firstRequired]: null }), message: required },
    {
      name: `${firstRequired} under another spelling`,
      body: json({ ...without(valid, firstRequired), [firstRequired.toLowerCase()]: valid[firstRequired] }),
      message: required,
    },
    { name: 'an unknown field', body: json({ ...valid, foo: 'bar' }), message: 'Unknown field: foo' },
    {
      name: 'an unknown nested object',
      body: json({ ...valid, options: { trialDays: 365 } }),
      message: 'Unknown field: options',
    },
    {
      name: 'a "constructor" field',
      body: json({ ...valid, constructor: 'x' }),
      message: 'Unknown field: constructor',
    },
    {
      name: 'a "hasOwnProperty" field',
      body: json({ ...valid, hasOwnProperty: 'x' }),
      message: 'Unknown field: hasOwnProperty',
    },
    {
      name: 'a __proto__ key',
      body: `{"__proto__": {"polluted": "yes"}, ${validJson.slice(1)}`,
      message: 'Request body is not valid JSON',
    },
    {
      name: 'a constructor.prototype key',
      body: `{"constructor": {"prototype": {"polluted": "yes"}}, ${validJson.slice(1)}`,
      message: 'Request body is not valid JSON',
    },
    {
      name: 'a deeply nested unknown field',
      body: `${validJson.slice(0, -1)}, "deep": ${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
    },
    {
      name: 'Content-Type text/plain',
      body: validJson,
      contentType: 'text/plain',
      message: 'Content-Type must be application/json',
    },
    {
      name: 'Content-Type multipart/form-data',
      body: validJson,
      contentType: 'multipart/form-data; boundary=x',
      message: 'Content-Type must be application/json',
    },
    {
      name: 'Content-Type application/xml',
      body: `<request><${firstRequired}>${APP_ORIGIN}/</${firstRequired}></request>`,
      contentType: 'application/xml',
      message: 'Content-Type must be application/json',
    },
    {
      name: 'Content-Type application/x-www-form-urlencoded',
      body: new URLSearchParams(valid as Record<string, string>).toString(),
      contentType: 'application/x-www-form-urlencoded',
    },
    {
      name: `a JSON body over ${MAX_JSON_BODY_BYTES / 1024} kB`,
      body: json({ ...valid, padding: 'x'.repeat(MAX_JSON_BODY_BYTES) }),
      status: 413,
    },
    {
      name: `a text/plain body over ${MAX_JSON_BODY_BYTES / 1024} kB`,
      body: 'x'.repeat(MAX_JSON_BODY_BYTES + 1),
      contentType: 'text/plain',
      status: 413,
    },
    {
      name: 'a JSON body over 1 MB',
      body: json({ ...valid, padding: 'x'.repeat(1024 * 1024) }),
      status: 413,
    },
    {
      name: 'an accountId query that is not a UUID',
      body: validJson,
      query: 'accountId=not-a-uuid',
      message: 'accountId must be a UUID',
    },
  ];

  for (const field of Object.keys(valid)) {
    cases.push({
      name: `missing ${field}`,
      body: json(without(valid, field)),
      message: `${field} is required`,
    });
    for (const [label, value] of WRONG_TYPES) {
      cases.push({
        name: `${field} as ${label}`,
        body: json({ ...valid, [field]: value }),
        message: field === 'priceId' ? 'Invalid price ID' : new RegExp(`^${field} `),
      });
    }
  }

  for (const field of endpoint.urlFields) {
    for (const [label, url] of MALFORMED_URLS) {
      cases.push({
        name: `${field} as ${label}`,
        body: json({ ...valid, [field]: url }),
        message: `${field} must be an absolute http(s) URL`,
      });
    }
    for (const [label, url] of FOREIGN_ORIGIN_URLS) {
      cases.push({
        name: `${field} on ${label}`,
        body: json({ ...valid, [field]: url }),
        message: `${field} is not on an allowed origin (${APP_ORIGIN}, http://localhost:*); set ALLOWED_REDIRECT_ORIGINS to allow others`,
      });
    }
  }
  return cases;
}

const WRONG_TYPES: Array<[string, unknown]> = [
  ['a number', 123],
  ['a boolean', true],
  ['an array', [`${APP_ORIGIN}/`]],
  ['an object', { url: `${APP_ORIGIN}/` }],
];

function sessionCases(): BadCase[] {
  return [
    {
      name: 'accountId that is not a UUID',
      body: json({ ...SESSIONS.valid, accountId: 'not-a-uuid' }),
      message: 'accountId must be a UUID',
    },
    {
      name: 'accountId as a number',
      body: json({ ...SESSIONS.valid, accountId: 123 }),
      message: 'accountId must be a UUID',
    },
    {
      name: 'accountId as null',
      body: json({ ...SESSIONS.valid, accountId: null }),
      message: 'accountId must be a UUID',
    },
    {
      name: 'a trialDays field',
      body: json({ ...SESSIONS.valid, trialDays: 365 }),
      message: 'Unknown field: trialDays',
    },
    {
      name: 'a priceId field (the price is the operator’s choice)',
      body: json({ ...SESSIONS.valid, priceId: BILLING_PRICE }),
      message: 'Unknown field: priceId',
    },
  ];
}

function billingCases(): BadCase[] {
  const valid = BILLING.valid;
  const field = (name: string, value: unknown, message: string | RegExp): BadCase => ({
    name: `${name} ${json(value) ?? String(value)}`,
    body: json({ ...valid, [name]: value }),
    message,
  });
  const manyKeys = Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`key${index}`, 'v']));
  return [
    field('quantity', 0, 'quantity must be at least 1'),
    field('quantity', -1, 'quantity must be at least 1'),
    field('quantity', 1.5, 'quantity must be a whole number'),
    field('quantity', 1e9, /^quantity must be at most/),
    field('quantity', '2', /^quantity must be/),
    field('quantity', true, /^quantity must be/),
    field('mode', 'other', 'mode must be subscription or payment'),
    field('mode', 'SUBSCRIPTION', 'mode must be subscription or payment'),
    field('mode', 1, 'mode must be subscription or payment'),
    field('expiresInMinutes', 29, 'expiresInMinutes must be at least 30'),
    field('expiresInMinutes', 1441, 'expiresInMinutes must be at most 1440'),
    field('expiresInMinutes', 0, 'expiresInMinutes must be at least 30'),
    field('expiresInMinutes', 60.5, 'expiresInMinutes must be a whole number'),
    field('expiresInMinutes', '60', /^expiresInMinutes must be/),
    field('allowExistingSubscription', 'true', 'allowExistingSubscription must be true or false'),
    field('allowExistingSubscription', 1, 'allowExistingSubscription must be true or false'),
    field('priceId', '', 'Invalid price ID'),
    field('priceId', 'price with spaces', 'Invalid price ID'),
    field('priceId', '../v1/customers', 'Invalid price ID'),
    field('priceId', `price_${'x'.repeat(255)}`, 'Invalid price ID'),
    field('priceId', 'price_unknown_to_the_provider', 'Invalid price ID'),
    field('priceId', INACTIVE_PRICE, 'Invalid price ID'),
    field('priceId', ONE_TIME_PRICE, 'Invalid price ID'),
    {
      name: 'a recurring price with mode payment',
      body: json({ ...valid, mode: 'payment' }),
      message: 'Invalid price ID',
    },
    field('metadata', ['plan', 'pro'], 'metadata must be an object of string values'),
    field('metadata', 'plan=pro', 'metadata must be an object of string values'),
    field('metadata', 42, 'metadata must be an object of string values'),
    field('metadata', { plan: 1 }, 'metadata values must be strings'),
    field('metadata', { plan: true }, 'metadata values must be strings'),
    field('metadata', { plan: null }, 'metadata values must be strings'),
    field('metadata', { plan: { tier: 'pro' } }, 'metadata values must be strings'),
    field('metadata', { ['k'.repeat(41)]: 'v' }, 'metadata keys must be 1 to 40 characters long'),
    field('metadata', { '': 'v' }, 'metadata keys must be 1 to 40 characters long'),
    field('metadata', { plan: 'v'.repeat(501) }, 'metadata values must be at most 500 characters long'),
    {
      name: 'metadata with 50 keys (51 with the service’s accountId)',
      body: json({ ...valid, metadata: manyKeys }),
      message: /^metadata can have at most 50 keys/,
    },
    field('metadata', { 'plan[tier]': 'pro' }, 'metadata keys cannot contain square brackets'),
    field('metadata', { 'plan]': 'pro' }, 'metadata keys cannot contain square brackets'),
    {
      name: 'a __proto__ key inside metadata',
      body: `${json(valid).slice(0, -1)}, "metadata": {"__proto__": {"polluted": "yes"}}}`,
      message: 'Request body is not valid JSON',
    },
    {
      name: 'snake_case field names',
      body: json({ price_id: BILLING_PRICE, success_url: valid.successUrl, cancel_url: valid.cancelUrl }),
      message: 'priceId is required',
    },
    {
      name: 'a customer field',
      body: json({ ...valid, customer: 'cus_someone_else' }),
      message: 'Unknown field: customer',
    },
    {
      name: 'testMode that is not true or false',
      body: json(valid),
      query: 'testMode=maybe',
      message: 'testMode must be true or false',
    },
  ];
}

function without(body: Record<string, unknown>, field: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([key]) => key !== field));
}

describe('Bad input (guarantees 5 and 8)', () => {
  const { fake, sut } = useStripeApp({
    prices: [
      { id: SUBSCRIPTION_PRICE, type: 'recurring' },
      { id: BILLING_PRICE, type: 'recurring' },
      { id: ONE_TIME_PRICE, type: 'one_time' },
      { id: INACTIVE_PRICE, type: 'recurring', active: false },
    ],
  });
  /** Has a provider customer: the portal would succeed for it. */
  let withCustomer: TestAccount;
  let baseline: Footprint;
  /** Accounts without a provider customer, made up front (one per request) to keep the suite fast. */
  const freshAccounts: TestAccount[] = [];
  /** One listening server for all requests (supertest would otherwise start one per request). */
  let http: () => ReturnType<typeof request>;

  type Footprint = Record<string, number>;

  /** What a request may have written: local rows, and the trial an account holds. */
  async function footprint(): Promise<Footprint> {
    const [row] = await sut.db.rows(sql<
      Record<string, unknown>
    >`SELECT (SELECT COUNT(*) FROM customers) AS customers,
              (SELECT COUNT(*) FROM checkout_sessions) AS checkout_sessions,
              (SELECT COUNT(*) FROM subscriptions) AS subscriptions,
              (SELECT COUNT(*) FROM webhook_events) AS webhook_events,
              (SELECT COUNT(*) FROM accounts WHERE trial_claimed_at IS NOT NULL) AS trials_claimed`);
    return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, Number(value)]));
  }

  /** A fresh account for each request (so nothing earlier can hide a write), or the one with a customer. */
  async function accountFor(endpoint: Endpoint): Promise<TestAccount> {
    if (endpoint.account === 'withCustomer') return withCustomer;
    return freshAccounts.pop() ?? createAccount(sut, { name: 'Fresh account' });
  }

  function post(
    endpoint: Endpoint,
    account: TestAccount,
    badCase: Pick<BadCase, 'body' | 'contentType' | 'query'>,
  ) {
    const path = badCase.query ? `${endpoint.path}?${badCase.query}` : endpoint.path;
    const call = http()
      .post(path)
      .set('x-api-key', account.apiKey)
      .set('content-type', badCase.contentType ?? 'application/json');
    // superagent would JSON-encode a Buffer; the bytes must go out as they are.
    if (Buffer.isBuffer(badCase.body)) call.serialize((data: unknown) => data as string);
    return call.send(badCase.body);
  }

  function expectErrorShape(endpoint: Endpoint, body: unknown, status: number, message?: string | RegExp) {
    if (endpoint.shape === 'envelope') {
      const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 401 ? 'UNAUTHORIZED' : 'BAD_REQUEST';
      // A price the provider refuses says why (error.details.reason); nothing else carries details.
      const priceRefusal = (body as { error?: { details?: unknown } }).error?.details !== undefined;
      expect(body).toEqual({
        success: false,
        error: {
          code,
          message: expect.any(String),
          ...(priceRefusal ? { details: { reason: expect.any(String) } } : {}),
        },
      });
      if (priceRefusal) expect(body).toMatchObject({ error: { message: 'Invalid price ID' } });
      if (message) expect((body as { error: { message: string } }).error.message).toMatch(message);
    } else {
      expect(body).toEqual({ error: expect.any(String) });
      if (message) expect((body as { error: string }).error).toMatch(message);
    }
  }

  const tables: Array<[string, Endpoint, BadCase[]]> = [
    [SESSIONS.name, SESSIONS, [...commonCases(SESSIONS), ...sessionCases()]],
    [PORTAL.name, PORTAL, commonCases(PORTAL)],
    [BILLING.name, BILLING, [...commonCases(BILLING), ...billingCases()]],
  ];

  beforeAll(async () => {
    await sut.app.listen(0, '127.0.0.1');
    const url = await sut.app.getUrl();
    http = () => request(url);
    const needed = tables.reduce(
      (sum, [, endpoint, cases]) => sum + (endpoint.account === 'fresh' ? cases.length + 1 : 0),
      0,
    );
    freshAccounts.push(
      ...(await Promise.all(
        Array.from({ length: needed }, () => createAccount(sut, { name: 'Fresh account' })),
      )),
    );
    withCustomer = await createAccount(sut, { name: 'Account with a customer' });
    await http().post(SESSIONS.path).set('x-api-key', withCustomer.apiKey).send(SESSIONS.valid).expect(200);
    baseline = await footprint();
    expect(baseline.customers).toBe(1);
    // From here on the fake's record is only what the cases below caused.
    fake.requests.length = 0;
  });

  /** The provider calls that write something; none may follow a bad request. */
  const providerPosts = () => fake.received('POST', /.*/);

  describe.each(tables)('%s with a valid API key', (_name, endpoint, cases) => {
    it.each(cases.map((badCase) => [badCase.name, badCase] as const))(
      'should refuse %s with a 4xx in the endpoint’s shape and write nothing',
      async (_name, badCase) => {
        const account = await accountFor(endpoint);
        const before = await footprint();
        const postsBefore = providerPosts().length;
        const response = await post(endpoint, account, badCase);

        const status = badCase.status ?? 400;
        expect({ status: response.status, body: response.body }).toMatchObject({ status });
        expectErrorShape(endpoint, response.body, status, badCase.message);
        expect(providerPosts().slice(postsBefore)).toEqual([]);
        expect(await footprint()).toEqual(before);
      },
    );
  });

  describe.each(ENDPOINTS)('$name without a valid credential', (endpoint) => {
    const unauthenticated: Array<[string, Record<string, string>, BadCase]> = [
      ['no credential and broken JSON', {}, { name: '', body: '{"successUrl": ' }],
      ['no credential and a JSON array', {}, { name: '', body: '[1, 2]' }],
      ['no credential and a __proto__ key', {}, { name: '', body: '{"__proto__": {"polluted": "yes"}}' }],
      ['no credential and text/plain', {}, { name: '', body: 'hello', contentType: 'text/plain' }],
      [
        `no credential and a body over ${MAX_JSON_BODY_BYTES / 1024} kB`,
        {},
        { name: '', body: json({ padding: 'x'.repeat(MAX_JSON_BODY_BYTES) }) },
      ],
      ['an unknown API key and broken JSON', { 'x-api-key': 'not-a-key' }, { name: '', body: '{' }],
      [
        'a bearer token that is no credential and broken JSON',
        { authorization: 'Bearer abc' },
        { name: '', body: '{' },
      ],
    ];

    it.each(unauthenticated)('should answer 401 for %s', async (_name, headers, badCase) => {
      const before = await footprint();
      const postsBefore = providerPosts().length;
      const response = await http()
        .post(endpoint.path)
        .set(headers)
        .set('content-type', badCase.contentType ?? 'application/json')
        .send(badCase.body);

      expect(response.status).toBe(401);
      expectErrorShape(endpoint, response.body, 401, 'Authentication required');
      expect(providerPosts().slice(postsBefore)).toEqual([]);
      expect(await footprint()).toEqual(before);
    });
  });

  it('should leave no rows, no trial and no provider call behind after all the bad requests', async () => {
    expect(await footprint()).toEqual(baseline);
    const customers = await sut.db.rows(sql<{ n: unknown }>`SELECT COUNT(*) AS n FROM customers`);
    expect(Number(customers[0].n)).toBe(1); // the one made in beforeAll for the portal account
    const checkouts = await sut.db.rows(sql<{ n: unknown }>`SELECT COUNT(*) AS n FROM checkout_sessions`);
    expect(Number(checkouts[0].n)).toBe(1);
    expect(fake.received('POST', /.*/)).toEqual([]);
  });

  it('should not let a __proto__ or constructor.prototype key pollute Object.prototype', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  describe('control requests (the same requests, but valid)', () => {
    beforeEach(() => {
      fake.requests.length = 0;
    });

    it.each(ENDPOINTS)('should accept a valid body on $name', async (endpoint) => {
      const account = await accountFor(endpoint);
      const before = await footprint();
      const response = await post(endpoint, account, { body: json(endpoint.valid) });

      expect(response.status).toBe(200);
      if (endpoint.shape === 'envelope') {
        expect(response.body).toEqual({
          success: true,
          data: {
            sessionId: expect.any(String),
            url: expect.any(String),
            type: 'new_subscription',
            expiresAt: expect.any(String),
            estimates: expect.objectContaining({ currentInvoice: expect.any(Object) }),
          },
        });
      } else {
        expect(response.body).toEqual({ id: expect.any(String), url: expect.any(String) });
      }
      // The same checks that found nothing written above do see what a valid request writes.
      const after = await footprint();
      if (endpoint === PORTAL) {
        expect(fake.received('POST', '/v1/billing_portal/sessions')).toHaveLength(1);
        expect(after).toEqual(before);
      } else {
        expect(fake.received('POST', '/v1/checkout/sessions')).toHaveLength(1);
        expect(after.checkoutSessions).toBe(before.checkoutSessions + 1);
      }
    });

    it('should accept the edge values next to the refused ones', async () => {
      const account = await createAccount(sut, { name: 'Edge values' });
      const metadata = Object.fromEntries(Array.from({ length: 49 }, (_, index) => [`key${index}`, 'v']));
      metadata['k'.repeat(40)] = 'v'.repeat(500);
      delete metadata.key0;
      const response = await http()
        .post(BILLING.path)
        .set('x-api-key', account.apiKey)
        .send({
          priceId: BILLING_PRICE,
          successUrl: longUrl(MAX_URL_LENGTH),
          cancelUrl: 'http://localhost:5173/pricing',
          quantity: 999_999,
          expiresInMinutes: 30,
          mode: 'subscription',
          allowExistingSubscription: false,
          metadata,
        })
        .expect(200);

      expect(response.body.success).toBe(true);
      const calls = fake.received('POST', '/v1/checkout/sessions');
      expect(calls).toHaveLength(1);
      expect(calls[0].body.success_url).toBe(longUrl(MAX_URL_LENGTH));
      expect(calls[0].body.cancel_url).toBe('http://localhost:5173/pricing');
      expect(calls[0].body.line_items).toEqual([{ price: BILLING_PRICE, quantity: '999999' }]);
      expect(Object.keys(calls[0].body.metadata as object)).toHaveLength(50);
    });
  });
});
