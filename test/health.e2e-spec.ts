import { DataSource } from 'typeorm';
import { ReadinessChecks, ReadinessResult } from '../src/health/readiness-checks';
import { createAccount, startTestApp, TestAccount, TestApp } from './support/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface OpenApiOperation {
  security?: Array<Record<string, string[]>>;
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, unknown>;
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, { required?: string[]; properties?: Record<string, unknown> }>;
    securitySchemes: Record<string, Record<string, string>>;
  };
}

describe('Operations endpoints and response headers', () => {
  let sut: TestApp;
  let account: TestAccount;

  beforeAll(async () => {
    sut = await startTestApp();
    account = await createAccount(sut);
  });

  afterAll(async () => {
    await sut?.close();
  });

  describe('GET /health', () => {
    it('should answer 200 with status ok and the database up', async () => {
      const response = await sut.http().get('/health').expect(200);

      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
    });

    it('should report no redis when REDIS_URL is not set', async () => {
      const response = await sut.http().get('/health').expect(200);

      expect(Object.keys(response.body.details)).toEqual(['database', 'outbox']);
      expect(response.body.details.outbox).toEqual({ status: 'up', endpoints: 0 });
    });

    it('should be reachable without credentials, even with a wrong API key', async () => {
      const response = await sut.http().get('/health').set('x-api-key', 'not-a-key');

      expect(response.status).toBe(200);
    });
  });

  describe('GET /docs', () => {
    it('should serve the Swagger UI page', async () => {
      const response = await sut.http().get('/docs').expect(200);

      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.text).toContain('<title>Swagger UI</title>');
      expect(response.text).toContain('id="swagger-ui"');
    });

    it('should load its scripts and styles from this service, so that the CSP lets the page run', async () => {
      const response = await sut.http().get('/docs').expect(200);
      const scripts = [...response.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      const stylesheets = [...response.text.matchAll(/<link\b[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)];

      expect(scripts.length).toBeGreaterThan(0);
      // script-src 'self' refuses inline scripts: each one must come from a src.
      for (const [, attributes, inline] of scripts) {
        expect(attributes).toMatch(/\bsrc="[^"]+"/);
        expect(inline.trim()).toBe('');
      }
      const assets = [
        ...scripts.map(([, attributes]) => /\bsrc="([^"]+)"/.exec(attributes)![1]),
        ...stylesheets.map(([, href]) => href),
      ];
      for (const asset of assets) {
        const url = new URL(asset, 'http://service.test/docs');
        expect(url.origin).toBe('http://service.test');
        const file = await sut.http().get(url.pathname);
        expect({ asset, status: file.status }).toEqual({ asset, status: 200 });
        expect(file.headers['content-type']).toMatch(/javascript|css/);
      }
    });
  });

  describe('GET /docs-json', () => {
    let document: OpenApiDocument;

    beforeAll(async () => {
      const response = await sut.http().get('/docs-json').expect(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      document = response.body as OpenApiDocument;
    });

    it('should be an OpenAPI 3 document', () => {
      expect(document.openapi).toMatch(/^3\./);
    });

    it.each([
      ['post', '/api/subscriptions/sessions'],
      ['post', '/api/subscriptions/portal'],
      ['post', '/api/billing/checkout'],
      ['get', '/api/subscriptions/me'],
    ])('should describe %s %s with both security schemes and a 200 response', (method, path) => {
      const operation = document.paths[path]?.[method];

      expect(operation).toBeDefined();
      expect(operation.responses).toHaveProperty('200');
      expect(operation.security).toEqual(expect.arrayContaining([{ apiKeyAuth: [] }, { bearerAuth: [] }]));
    });

    it.each([
      ['/api/subscriptions/sessions', 'CreateSubscriptionSessionRequest', ['successUrl']],
      ['/api/subscriptions/portal', 'CreateSubscriptionPortalRequest', ['returnUrl']],
      // priceId is not among them: a quantity update has none (the validator requires it otherwise).
      ['/api/billing/checkout', 'CreateCheckoutRequest', ['successUrl', 'cancelUrl']],
    ])('should give POST %s the %s body with its required fields', (path, schemaName, required) => {
      const body = document.paths[path].post.requestBody;

      expect(body?.content['application/json'].schema.$ref).toBe(`#/components/schemas/${schemaName}`);
      expect(document.components.schemas[schemaName].required).toEqual(expect.arrayContaining(required));
    });

    it('should name the security schemes as the sessions document does', () => {
      expect(document.components.securitySchemes.apiKeyAuth).toMatchObject({
        type: 'apiKey',
        in: 'header',
        name: 'x-api-key',
      });
      expect(document.components.securitySchemes.bearerAuth).toMatchObject({
        type: 'http',
        scheme: 'bearer',
      });
    });
  });

  describe('x-request-id', () => {
    const requests: Array<
      [
        string,
        (app: TestApp, key: string) => Promise<{ status: number; headers: Record<string, string> }>,
        number,
      ]
    > = [
      ['GET /health', (app) => app.http().get('/health'), 200],
      ['GET /docs', (app) => app.http().get('/docs'), 200],
      ['GET /docs-json', (app) => app.http().get('/docs-json'), 200],
      [
        'GET /api/subscriptions/me',
        (app, key) => app.http().get('/api/subscriptions/me').set('x-api-key', key),
        200,
      ],
      ['an unknown route', (app) => app.http().get('/no/such/route'), 404],
      [
        'a request without credentials',
        (app) => app.http().post('/api/subscriptions/sessions').send({}),
        401,
      ],
      [
        'a request with a broken body',
        (app, key) =>
          app
            .http()
            .post('/api/billing/checkout')
            .set('x-api-key', key)
            .set('content-type', 'application/json')
            .send('{"priceId": '),
        400,
      ],
      [
        'a request with a body over 100 kB',
        (app, key) =>
          app
            .http()
            .post('/api/subscriptions/sessions')
            .set('x-api-key', key)
            .send({ successUrl: 'x'.repeat(101 * 1024) }),
        413,
      ],
    ];

    it.each(requests)('should be set on the response to %s', async (_name, send, status) => {
      const response = await send(sut, account.apiKey);

      expect(response.status).toBe(status);
      expect(response.headers['x-request-id']).toMatch(UUID);
    });

    it('should be new for each request', async () => {
      const ids = await Promise.all(
        [1, 2, 3].map(async () => (await sut.http().get('/health')).headers['x-request-id']),
      );

      expect(new Set(ids).size).toBe(3);
    });

    it.each([
      ['a UUID', '6f1c1a3e-9c1b-4c51-8f55-5a1e6f3b2c10'],
      ['a trace id with dots, colons and underscores', 'edge-7.trace:4bf92f35_77b3'],
      ['128 characters', 'r'.repeat(128)],
    ])("should echo the caller's x-request-id when it is %s", async (_name, id) => {
      const ok = await sut.http().get('/health').set('x-request-id', id).expect(200);
      const failed = await sut.http().get('/api/subscriptions/me').set('x-request-id', id).expect(401);

      expect(ok.headers['x-request-id']).toBe(id);
      expect(failed.headers['x-request-id']).toBe(id);
    });

    it.each([
      ['longer than 128 characters', 'r'.repeat(129)],
      ['with spaces', 'abc def'],
      ['with markup', '<script>alert(1)</script>'],
      ['that is empty', ''],
    ])("should answer with a new id in place of a caller's x-request-id %s", async (_name, id) => {
      const response = await sut.http().get('/health').set('x-request-id', id).expect(200);

      expect(response.headers['x-request-id']).toMatch(UUID);
      expect(response.headers['x-request-id']).not.toBe(id);
    });
  });

  describe('security headers', () => {
    it.each([
      ['GET /health', '/health', 200],
      ['GET /docs', '/docs', 200],
      ['an error response', '/api/subscriptions/me', 401],
      ['an unknown route', '/no/such/route', 404],
    ])('should be set by helmet on %s', async (_name, path, status) => {
      const response = await sut.http().get(path).expect(status);

      expect(response.headers['x-content-type-options']).toBe('nosniff');
      const csp = String(response.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(response.headers['x-frame-options']).toBeDefined();
      expect(response.headers['x-powered-by']).toBeUndefined();
    });
  });
});

describe('GET /health when the database is gone', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });

  afterAll(async () => {
    await sut?.close();
  });

  it('should answer 503 with status error and the database down', async () => {
    await sut.http().get('/health').expect(200);
    // Both ways to the database close: the statements' pool, and TypeORM's (migrations, SQLite).
    await sut.db.close();
    await sut.app.get(DataSource).destroy();

    const response = await sut.http().get('/health');

    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
    expect(response.headers['x-request-id']).toMatch(UUID);
  });
});

describe('GET /health with readiness checks other modules registered', () => {
  let sut: TestApp;
  let answer: () => Promise<ReadinessResult>;

  beforeAll(async () => {
    sut = await startTestApp();
    sut.app.get(ReadinessChecks).register('ledger', () => answer());
  });

  afterAll(async () => {
    await sut?.close();
  });

  it('should answer 200 with the check and its detail under info when it is up', async () => {
    answer = () => Promise.resolve({ status: 'up', backlog: 3 });

    const response = await sut.http().get('/health').expect(200);

    expect(response.body).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, ledger: { status: 'up', backlog: 3 } },
    });
  });

  it('should answer 503 naming the check under error when it is down, the database still up', async () => {
    answer = () => Promise.resolve({ status: 'down', message: 'The dispatcher has stopped' });

    const response = await sut.http().get('/health').expect(503);

    expect(response.body).toEqual({
      status: 'error',
      info: { database: { status: 'up', writable: true }, outbox: { status: 'up', endpoints: 0 } },
      error: { ledger: { status: 'down', message: 'The dispatcher has stopped' } },
      details: {
        database: { status: 'up', writable: true },
        outbox: { status: 'up', endpoints: 0 },
        ledger: { status: 'down', message: 'The dispatcher has stopped' },
      },
    });
  });

  it('should answer 503 when the check throws, without its error', async () => {
    answer = () => Promise.reject(new Error('secret detail of the failure'));

    const response = await sut.http().get('/health').expect(503);

    expect(response.body.error).toEqual({ ledger: { status: 'down', message: 'The ledger check failed' } });
    expect(response.text).not.toContain('secret detail');
  });

  it('should answer 503 within its time bound when the check never answers', async () => {
    answer = () => new Promise<never>(() => undefined);
    const started = Date.now();

    const response = await sut.http().get('/health').expect(503);

    expect(Date.now() - started).toBeLessThan(3_000);
    expect(response.body.error).toEqual({
      ledger: { status: 'down', message: 'The ledger check did not answer in time' },
    });
  });
});

describe('GET /health when REDIS_URL names a Redis that does not answer', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
  });

  afterAll(async () => {
    await sut?.close();
  });

  it('should answer 503 naming redis, the database up', async () => {
    const response = await sut.http().get('/health').expect(503);

    expect(response.body).toMatchObject({
      status: 'error',
      info: { database: { status: 'up' } },
      error: { redis: { status: 'down', message: 'Redis does not answer' } },
    });
  });
});
