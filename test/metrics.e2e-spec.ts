import { randomBytes } from 'node:crypto';
import { createTestDatabase, TestDatabase } from './support/database';
import { rawRequest, sleep } from './support/process-helpers';
import { Exposition, parseExposition } from './support/prometheus-text';
import { ServiceProcess, startServiceProcess } from './support/service-process';
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

// GET /metrics (docs/metrics.md): the exposition after real traffic, read with a strict parser of
// Prometheus' text format, and the endpoint's protection.

const TOKEN = `metrics-${randomBytes(16).toString('hex')}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const newId = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}`;

async function scrape(app: TestApp): Promise<Exposition> {
  const response = await app.http().get('/metrics').set('authorization', `Bearer ${TOKEN}`).expect(200);
  expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(response.text);
}

/** How much each sample of `name` (with these labels) grew between two scrapes. */
function growth(before: Exposition, after: Exposition, name: string, labels: Record<string, string>) {
  return after.sum(name, labels) - before.sum(name, labels);
}

describe('GET /metrics with METRICS_TOKEN set (sandbox provider)', () => {
  let sut: TestApp;
  let account: TestAccount;

  beforeAll(async () => {
    // A limit this low would refuse a third scrape a minute if /metrics were limited.
    sut = await startTestApp({ METRICS_TOKEN: TOKEN, RATE_LIMIT_PER_MINUTE: '3' });
    account = await createAccount(sut);
  });

  afterAll(async () => {
    await sut?.close();
  });

  it.each([
    ['no Authorization header', undefined],
    ['a wrong token', `Bearer ${TOKEN.slice(0, -1)}x`],
    ['the token with something after it', `Bearer ${TOKEN}x`],
    ['the token without Bearer', TOKEN],
    ['the token as Basic credentials', `Basic ${Buffer.from(`metrics:${TOKEN}`).toString('base64')}`],
    ['an API key of the service', 'api-key'],
  ])('should answer 401 in the error shape to %s', async (_name, authorization) => {
    const call = sut.http().get('/metrics');
    if (authorization === 'api-key') call.set('authorization', `Bearer ${account.apiKey}`);
    else if (authorization !== undefined) call.set('authorization', authorization);
    const response = await call;

    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: 'The metrics token is missing or wrong' });
    expect(response.headers['www-authenticate']).toBeDefined();
    expect(response.text).not.toContain('billing_');
  });

  it('should not be rate-limited', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await sut.http().get('/metrics').set('authorization', `Bearer ${TOKEN}`)).status);
    }

    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it('should not be in the OpenAPI document', async () => {
    const document = (await sut.http().get('/docs-json').expect(200)).body as { paths: object };

    expect(Object.keys(document.paths)).not.toContain('/metrics');
  });

  it('should count requests by method, route template and status, with their durations', async () => {
    const before = await scrape(sut);
    const unknownSession = `cs_${randomBytes(12).toString('hex')}`;
    const unknownPath = `/no/such/route/${randomBytes(6).toString('hex')}`;
    for (let i = 0; i < 2; i++) await sut.http().get('/health').expect(200);
    await sut.http().get('/api/subscriptions/me').expect(401);
    await sut
      .http()
      .get(`/api/billing/checkout/${unknownSession}`)
      .set('x-api-key', account.apiKey)
      .expect(404);
    await sut.http().get(unknownPath).expect(404);
    const after = await scrape(sut);

    const health = { method: 'GET', route: '/health', status: '200' };
    expect(growth(before, after, 'billing_http_requests_total', health)).toBe(2);
    expect(growth(before, after, 'billing_http_request_duration_seconds_count', health)).toBe(2);
    expect(
      growth(before, after, 'billing_http_request_duration_seconds_bucket', { ...health, le: '+Inf' }),
    ).toBe(2);
    expect(
      growth(before, after, 'billing_http_requests_total', {
        method: 'GET',
        route: '/api/subscriptions/me',
        status: '401',
      }),
    ).toBe(1);
    expect(
      growth(before, after, 'billing_http_requests_total', {
        method: 'GET',
        route: '/api/billing/checkout/:sessionId',
        status: '404',
      }),
    ).toBe(1);
    expect(
      growth(before, after, 'billing_http_requests_total', {
        method: 'GET',
        route: 'unmatched',
        status: '404',
      }),
    ).toBe(1);
    // Neither the id nor the unknown path became a label value.
    const labelValues = after.samples.flatMap((sample) => Object.values(sample.labels));
    expect(labelValues.some((value) => value.includes(unknownSession))).toBe(false);
    expect(labelValues.some((value) => value.includes('/no/such/route'))).toBe(false);
    expect(after.types.get('billing_http_requests_total')).toBe('counter');
    expect(after.types.get('billing_http_request_duration_seconds')).toBe('histogram');
  });

  it('should count provider calls through the port, whichever the provider (here the sandbox)', async () => {
    const before = await scrape(sut);
    await sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', (await createAccount(sut)).apiKey)
      .send({ successUrl: `${APP_ORIGIN}/welcome` })
      .expect(200);
    const after = await scrape(sut);

    const call = { operation: 'createCheckoutSession', outcome: 'ok' };
    expect(growth(before, after, 'billing_provider_calls_total', call)).toBe(1);
    expect(growth(before, after, 'billing_provider_call_duration_seconds_count', call)).toBe(1);
    expect(after.value('billing_provider_call_retries_total', { operation: 'createCheckoutSession' })).toBe(
      0,
    );
  });

  it("should expose the process's own metrics, and no database pool on SQLite", async () => {
    const metrics = await scrape(sut);

    expect(metrics.value('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(metrics.value('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(metrics.types.get('billing_reconciliation_repairs_total')).toBe('counter');
    expect(metrics.types.get('billing_event_deliveries_total')).toBe('counter');
    if (sut.config.database.kind === 'sqlite') {
      expect(metrics.types.has('billing_db_pool_connections')).toBe(false);
    } else {
      expect(metrics.value('billing_db_pool_max_connections')).toBe(10);
      expect(metrics.value('billing_db_pool_connections')).toBeGreaterThanOrEqual(1);
      expect(metrics.value('billing_db_pool_waiting_requests')).toBe(0);
    }
  });
});

describe('GET /metrics without METRICS_TOKEN', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });

  afterAll(async () => {
    await sut?.close();
  });

  it('should answer 404, as for any path the service does not have, whatever the credential', async () => {
    const unknown = await sut.http().get('/no-such-path').expect(404);
    const bare = await sut.http().get('/metrics').expect(404);
    const withToken = await sut.http().get('/metrics').set('authorization', `Bearer ${TOKEN}`).expect(404);

    expect(bare.body).toEqual({ error: expect.any(String) });
    expect(withToken.body).toEqual(bare.body);
    expect(Object.keys(unknown.body)).toEqual(Object.keys(bare.body));
  });
});

describe('GET /metrics with the Stripe provider', () => {
  const { fake, sut } = useStripeApp({
    prices: [{ id: SUBSCRIPTION_PRICE, type: 'recurring' }],
    env: { METRICS_TOKEN: TOKEN, STRIPE_MAX_NETWORK_RETRIES: '2' },
    clearRequests: true,
  });

  beforeEach(() => fake.clearFaults());

  function deliver(event: { payload: string; signature: string }) {
    return sut
      .http()
      .post('/api/webhooks/stripe')
      .set('content-type', 'application/json')
      .set('stripe-signature', event.signature)
      .send(event.payload);
  }

  async function startCheckout(): Promise<{ customer: string; status: number }> {
    const account = await createAccount(sut);
    const response = await sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', account.apiKey)
      .send({ successUrl: `${APP_ORIGIN}/welcome` });
    const customer = response.status === 200 ? (fake.sessions.get(response.body.id)!.customer as string) : '';
    return { customer, status: response.status };
  }

  it("should count the SDK's retries of a call that got through on the second attempt", async () => {
    const before = await scrape(sut);
    fake.injectFault({ kind: 'status', status: 500 }, { method: 'POST', path: /^\/v1\/checkout\/sessions$/ });

    expect((await startCheckout()).status).toBe(200);
    const after = await scrape(sut);

    // The fake saw the call twice, under one idempotency key.
    const attempts = fake.received('POST', '/v1/checkout/sessions');
    expect(attempts).toHaveLength(2);
    expect(new Set(attempts.map((attempt) => attempt.idempotencyKey)).size).toBe(1);
    const operation = { operation: 'createCheckoutSession' };
    expect(growth(before, after, 'billing_provider_calls_total', { ...operation, outcome: 'ok' })).toBe(1);
    expect(growth(before, after, 'billing_provider_call_retries_total', operation)).toBe(1);
    expect(
      growth(before, after, 'billing_provider_calls_total', { operation: 'createCustomer', outcome: 'ok' }),
    ).toBe(1);
    expect(
      growth(before, after, 'billing_provider_call_retries_total', { operation: 'createCustomer' }),
    ).toBe(0);
  });

  it('should count a call that used up its retries under the error it failed with', async () => {
    const before = await scrape(sut);
    fake.injectFault(
      { kind: 'status', status: 500 },
      { method: 'POST', path: /^\/v1\/checkout\/sessions$/, times: 100 },
    );

    expect((await startCheckout()).status).toBe(502);
    const after = await scrape(sut);

    expect(fake.received('POST', '/v1/checkout/sessions')).toHaveLength(3);
    const failed = { operation: 'createCheckoutSession', outcome: 'payment_provider_error' };
    expect(growth(before, after, 'billing_provider_calls_total', failed)).toBe(1);
    expect(
      growth(before, after, 'billing_provider_call_retries_total', { operation: 'createCheckoutSession' }),
    ).toBe(2);
    // The duration includes the SDK's backoff (at least 0.5 s before each retry).
    const seconds =
      after.sum('billing_provider_call_duration_seconds_sum', failed) -
      before.sum('billing_provider_call_duration_seconds_sum', failed);
    expect(seconds).toBeGreaterThanOrEqual(1);
  });

  it('should count the retries of a GET, which has no idempotency key', async () => {
    const price = `price_${randomBytes(6).toString('hex')}`;
    fake.addPrice({ id: price });
    const before = await scrape(sut);
    fake.injectFault(
      { kind: 'status', status: 500 },
      { method: 'GET', path: new RegExp(`^/v1/prices/${price}`) },
    );

    const account = await createAccount(sut);
    await sut
      .http()
      .post('/api/billing/checkout')
      .set('x-api-key', account.apiKey)
      .send({ priceId: price, successUrl: `${APP_ORIGIN}/ok`, cancelUrl: `${APP_ORIGIN}/cancel` })
      .expect(200);
    const after = await scrape(sut);

    expect(
      growth(before, after, 'billing_provider_calls_total', { operation: 'retrievePrice', outcome: 'ok' }),
    ).toBe(1);
    expect(growth(before, after, 'billing_provider_call_retries_total', { operation: 'retrievePrice' })).toBe(
      1,
    );
  });

  it('should count webhook deliveries by type and outcome, with the lag from their creation', async () => {
    const { customer } = await startCheckout();
    const subscription = {
      id: newId('sub'),
      object: 'subscription',
      customer,
      status: 'active',
      cancel_at_period_end: false,
      trial_end: null,
      metadata: {},
      livemode: false,
      items: {
        object: 'list',
        data: [
          {
            id: newId('si'),
            object: 'subscription_item',
            quantity: 1,
            current_period_end: nowSeconds() + 30 * 86_400,
            price: { id: SUBSCRIPTION_PRICE, object: 'price' },
          },
        ],
      },
    };
    const created = signedEvent('customer.subscription.created', subscription, {
      created: nowSeconds() - 120,
    });
    const unused = signedEvent('customer.created', { id: customer, object: 'customer' });
    const forged = { ...signedEvent('customer.subscription.deleted', subscription), signature: 't=1,v1=00' };
    const before = await scrape(sut);

    await deliver(created).expect(200, { received: true, outcome: 'applied' });
    await deliver(created).expect(200, { received: true, outcome: 'duplicate' });
    await deliver(unused).expect(200, { received: true, outcome: 'ignored' });
    await deliver(forged).expect(400);
    const after = await scrape(sut);

    const events = (type: string, outcome: string) =>
      growth(before, after, 'billing_webhook_events_total', { type, outcome });
    expect(events('customer.subscription.created', 'applied')).toBe(1);
    expect(events('customer.subscription.created', 'duplicate')).toBe(1);
    expect(events('customer.created', 'ignored')).toBe(1);
    // A forged delivery names a type, but nothing it says is counted as said.
    expect(events('unverified', 'refused')).toBe(1);
    expect(events('customer.subscription.deleted', 'refused')).toBe(0);
    // Three verified deliveries: two of an event two minutes old, one of a fresh one.
    expect(growth(before, after, 'billing_webhook_lag_seconds_count', {})).toBe(3);
    expect(growth(before, after, 'billing_webhook_lag_seconds_bucket', { le: '60' })).toBe(1);
    expect(growth(before, after, 'billing_webhook_lag_seconds_bucket', { le: '300' })).toBe(3);
    const lag = after.sum('billing_webhook_lag_seconds_sum') - before.sum('billing_webhook_lag_seconds_sum');
    expect(lag).toBeGreaterThanOrEqual(240);
    expect(lag).toBeLessThan(260);
  });
});

describe('The metrics token in the log', () => {
  const wrong = `wrong-${randomBytes(16).toString('hex')}`;
  let database: TestDatabase | undefined;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    database = await createTestDatabase({ shared: true });
    service = await startServiceProcess({
      DATABASE_URL: database.url,
      LOG_LEVEL: 'debug',
      METRICS_TOKEN: TOKEN,
    });
  });

  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  it('should never be logged, right or wrong, in the header or the query', async () => {
    const statuses: number[] = [];
    for (const [path, token] of [
      ['/metrics', TOKEN],
      ['/metrics', wrong],
      [`/metrics?token=${TOKEN}`, undefined],
      [`/metrics?token=${wrong}`, wrong],
    ] as const) {
      const headers = token === undefined ? undefined : { authorization: `Bearer ${token}` };
      statuses.push((await rawRequest(`${service!.url}${path}`, { method: 'GET', headers })).status);
    }
    await sleep(200);
    const output = service!.output();

    expect(statuses).toEqual([200, 401, 401, 401]);
    // The requests were logged (debug), just not their credentials.
    expect(output).toContain('/metrics');
    expect(output).not.toContain(TOKEN);
    expect(output).not.toContain(wrong);
  });
});
