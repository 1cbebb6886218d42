import { createServer, request as httpRequest, Server } from 'node:http';
import { RawBuilder, sql } from 'kysely';
import { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Response, Test } from 'supertest';
import { FakeStripe, Fault, RecordedRequest } from './support/fake-stripe';
import { useStripeApp } from './support/stripe-app';
import { APP_ORIGIN, createAccount, SUBSCRIPTION_PRICE, TestAccount, TestApp } from './support/test-app';

/**
 * Guarantee 9 (with 1 and 2, docs/guarantees.md) under provider faults: for every fault the fake can
 * produce and every provider call the service makes for a client, the client gets 200 (when a
 * retry got through) or the endpoint's own 502/503 within a bounded time, the provider saw a
 * bounded number of attempts under one Idempotency-Key, no half-written local state is left,
 * and the next identical request passes and creates exactly one customer / one session.
 */

const TIMEOUT_MS = 400;
const RETRIES = 2;
const TRIAL_DAYS = 30;
/** One logical call: the first attempt and STRIPE_MAX_NETWORK_RETRIES retries (the code's policy). */
const POLICY_ATTEMPTS = RETRIES + 1;
/** stripe-node 23 waits its floor of 0.5 s before each of the first retries. */
const SDK_BACKOFF_MS = 500 * RETRIES;
/** The service's own 429 backoff (stripe-payment-provider.ts): 250 ms × 2^n at most. */
const RATE_LIMIT_BACKOFF_MS = 250 + 500;
const MARGIN_MS = 1_000;
/** (retries + 1) × timeout + every backoff + margin. */
const ELAPSED_BOUND_MS = POLICY_ATTEMPTS * TIMEOUT_MS + SDK_BACKOFF_MS + RATE_LIMIT_BACKOFF_MS + MARGIN_MS;
const PERSISTENT = 1_000;

const SUCCESS_URL = `${APP_ORIGIN}/welcome?session={CHECKOUT_SESSION_ID}`;
const CANCEL_URL = `${APP_ORIGIN}/pricing`;
const RETURN_URL = `${APP_ORIGIN}/settings/billing`;
const RECURRING = 'price_faults_monthly';
const ONE_TIME = 'price_faults_credits';

interface FaultCase {
  name: string;
  fault: Fault;
  times: number;
  /** What the client must see: 200 when a retry got through. */
  status: 200 | 502 | 503;
  /** Requests the fake must receive for the one logical call. */
  attempts: number;
}

const FAULTS: FaultCase[] = [
  {
    name: '500, persistent',
    fault: { kind: 'status', status: 500 },
    times: PERSISTENT,
    status: 502,
    attempts: POLICY_ATTEMPTS,
  },
  { name: '500 once, then OK', fault: { kind: 'status', status: 500 }, times: 1, status: 200, attempts: 2 },
  {
    name: '429, persistent, no stripe-should-retry',
    fault: { kind: 'status', status: 429 },
    times: PERSISTENT,
    status: 503,
    attempts: POLICY_ATTEMPTS,
  },
  {
    name: '429, persistent, stripe-should-retry: true',
    fault: { kind: 'status', status: 429, retryHeader: true },
    times: PERSISTENT,
    status: 503,
    attempts: POLICY_ATTEMPTS,
  },
  // Stripe says not to retry: the service does not.
  {
    name: '429, persistent, stripe-should-retry: false',
    fault: { kind: 'status', status: 429, retryHeader: false },
    times: PERSISTENT,
    status: 503,
    attempts: 1,
  },
  // A 200 whose body is not JSON is not retried by the SDK: one attempt, then 502.
  { name: 'malformed JSON body', fault: { kind: 'malformed' }, times: PERSISTENT, status: 502, attempts: 1 },
  {
    name: 'connection reset, persistent',
    fault: { kind: 'reset' },
    times: PERSISTENT,
    status: 503,
    attempts: POLICY_ATTEMPTS,
  },
  { name: 'connection reset once, then OK', fault: { kind: 'reset' }, times: 1, status: 200, attempts: 2 },
  {
    name: 'hang until the timeout, persistent',
    fault: { kind: 'hang' },
    times: PERSISTENT,
    status: 503,
    attempts: POLICY_ATTEMPTS,
  },
];

interface SiteContext {
  account: TestAccount;
  /** The price of the checkout the request starts. */
  priceId: string;
  /** The provider customer of a returning account. */
  customerId: string | null;
}

interface CallSite {
  name: string;
  /**
   * Sites of one phase fail at the same time. The checkout site runs alone: every other site
   * reaches POST /v1/checkout/sessions once its own call gets through, which would eat its fault.
   */
  phase: 1 | 2;
  /** `{success, error: {code, message}}` (/api/billing) rather than `{error}`. */
  envelope: boolean;
  /** Whether the request starts a subscription checkout (and so claims the account's trial). */
  startsCheckout: boolean;
  method: 'GET' | 'POST';
  path(context: SiteContext): RegExp;
  /** The key the service sends for this call (GETs carry none). */
  key?: RegExp;
  prepare(): Promise<SiteContext>;
  send(context: SiteContext): Test;
  attempts(context: SiteContext): RecordedRequest[];
}

interface Row {
  fault: string;
  site: string;
  client: string;
  retryAfter: string;
  attempts: number;
  keys: number;
  elapsedMs: number;
  next: string;
}

/** A number below `limit`, as an asymmetric matcher (so that one toEqual shows every site). */
const below = (limit: number) => ({
  $$typeof: Symbol.for('jest.asymmetricMatcher'),
  asymmetricMatch: (actual: unknown) => typeof actual === 'number' && actual < limit,
  toAsymmetricMatcher: () => `a number below ${limit}`,
  toString: () => `below(${limit})`,
});

/** A message of the service's own: non-empty, without the provider's error text. */
const serviceMessage = expect.stringMatching(/^(?![\s\S]*Injected)[\s\S]+$/);

function expectedBody(site: Pick<CallSite, 'envelope'>, status: number): unknown {
  if (status === 200) {
    return site.envelope
      ? {
          success: true,
          data: {
            sessionId: expect.any(String),
            url: expect.any(String),
            type: 'new_subscription',
            expiresAt: expect.any(String),
            estimates: expect.any(Object),
          },
        }
      : { id: expect.any(String), url: expect.any(String) };
  }
  const code = status === 502 ? 'PAYMENT_PROVIDER_ERROR' : 'UNAVAILABLE';
  return site.envelope
    ? { success: false, error: { code, message: serviceMessage } }
    : { error: serviceMessage };
}

function describeAnswer(response: Response): string {
  const body = response.body as { error?: unknown; success?: boolean };
  if (response.status === 200) return '200';
  if (typeof body.error === 'string') return `${response.status} {error}`;
  const code = (body.error as { code?: string } | undefined)?.code ?? '?';
  return `${response.status} {success:false,error:{code:${code}}}`;
}

async function count(sut: TestApp, statement: RawBuilder<{ n: unknown }>): Promise<number> {
  const row = await sut.db.first(statement);
  return Number(row?.n);
}

const customersAt = (fake: FakeStripe, accountId: string) =>
  [...fake.customers.values()].filter(
    (customer) => (customer.metadata as Record<string, string> | undefined)?.accountId === accountId,
  );

const sessionsAt = (fake: FakeStripe, accountId: string, priceId: string) =>
  [...fake.sessions.values()].filter(
    (session) =>
      session.client_reference_id === accountId &&
      (session._line_items as Array<Record<string, unknown>>)[0]?.price === priceId,
  );

/** What a fault left behind for one account that it should not have: [] when nothing. */
async function halfWrittenState(sut: TestApp, fake: FakeStripe, accountId: string): Promise<string[]> {
  const problems: string[] = [];
  const customers = await sut.db.rows(
    sql<{
      providerCustomerId: string | null;
    }>`SELECT provider_customer_id FROM customers WHERE account_id = ${accountId}`,
  );
  for (const { providerCustomerId: id } of customers) {
    if (!id) problems.push('customers row without provider_customer_id');
    else if (!fake.customers.has(id)) problems.push(`customer ${id} that the provider never made`);
  }
  const checkouts = await sut.db.rows(
    sql<{
      status: string;
      providerSessionId: string | null;
    }>`SELECT status, provider_session_id FROM checkout_sessions WHERE account_id = ${accountId}`,
  );
  for (const { status, providerSessionId: id } of checkouts) {
    if (status === 'pending') problems.push('checkout_sessions row still pending');
    if (id && !fake.sessions.has(id)) problems.push(`checkout ${id} that the provider never made`);
    if (status === 'open' && !id) problems.push('open checkout without a provider session');
  }
  return problems;
}

async function trialClaimed(sut: TestApp, accountId: string): Promise<boolean> {
  const row = await sut.db.first(
    sql<{ trialClaimedAt: unknown }>`SELECT trial_claimed_at FROM accounts WHERE id = ${accountId}`,
  );
  return row?.trialClaimedAt !== null && row?.trialClaimedAt !== undefined;
}

describe('provider faults (guarantee 9)', () => {
  const { fake, sut } = useStripeApp({
    prices: [
      { id: RECURRING, type: 'recurring' },
      { id: ONE_TIME, type: 'one_time' },
      { id: SUBSCRIPTION_PRICE, type: 'recurring' },
    ],
    env: {
      STRIPE_TIMEOUT_MS: String(TIMEOUT_MS),
      STRIPE_MAX_NETWORK_RETRIES: String(RETRIES),
      TRIAL_DAYS: String(TRIAL_DAYS),
      // Every checkout on /api/billing asks the provider about its price.
      PRICE_CACHE_TTL_MS: '0',
    },
  });
  const table: Row[] = [];
  let priceCounter = 0;

  afterAll(() => {
    if (table.length > 0) {
      const header =
        '| fault | call site | client saw | Retry-After | attempts | keys | elapsed ms | next request |';
      const lines = table.map(
        (row) =>
          `| ${row.fault} | ${row.site} | ${row.client} | ${row.retryAfter} | ${row.attempts} | ${row.keys} | ${row.elapsedMs} | ${row.next} |`,
      );
      console.log(
        [
          `Provider faults (STRIPE_TIMEOUT_MS=${TIMEOUT_MS}, STRIPE_MAX_NETWORK_RETRIES=${RETRIES}, bound ${ELAPSED_BOUND_MS} ms)`,
          header,
          '|---|---|---|---|---|---|---|---|',
          ...lines,
        ].join('\n'),
      );
    }
  });

  beforeEach(() => {
    fake.clearFaults();
    fake.requests.length = 0;
  });

  const subscriptionSession = (account: TestAccount) =>
    sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', account.apiKey)
      .send({ successUrl: SUCCESS_URL });

  const billingCheckout = (account: TestAccount, body: Record<string, unknown>) =>
    sut
      .http()
      .post('/api/billing/checkout')
      .set('x-api-key', account.apiKey)
      .send({ successUrl: SUCCESS_URL, cancelUrl: CANCEL_URL, ...body });

  const portal = (account: TestAccount) =>
    sut
      .http()
      .post('/api/subscriptions/portal')
      .set('x-api-key', account.apiKey)
      .send({ returnUrl: RETURN_URL });

  /** An account with a provider customer and no trial used: it bought a one-time pack once. */
  async function returningAccount(priceId: string): Promise<SiteContext> {
    const account = await createAccount(sut);
    await billingCheckout(account, { priceId: ONE_TIME, mode: 'payment' }).expect(200);
    const row = await sut.db.first(
      sql<{
        id: string;
      }>`SELECT provider_customer_id AS id FROM customers WHERE account_id = ${account.accountId}`,
    );
    expect(fake.customers.has(row!.id)).toBe(true);
    return { account, priceId, customerId: row!.id };
  }

  const SITES: CallSite[] = [
    {
      name: 'POST /v1/customers (first checkout, /api/subscriptions/sessions)',
      phase: 1,
      envelope: false,
      startsCheckout: true,
      method: 'POST',
      path: () => /^\/v1\/customers$/,
      key: /^customer-live-[0-9a-f-]{36}-[0-9a-f]{16}$/,
      prepare: async () => ({
        account: await createAccount(sut),
        priceId: SUBSCRIPTION_PRICE,
        customerId: null,
      }),
      send: ({ account }) => subscriptionSession(account),
      attempts: ({ account }) =>
        fake
          .received('POST', '/v1/customers')
          .filter((call) => (call.body.metadata as Record<string, string>)?.accountId === account.accountId),
    },
    {
      name: 'GET /v1/prices/:id (/api/billing/checkout)',
      phase: 1,
      envelope: true,
      startsCheckout: true,
      method: 'GET',
      path: ({ priceId }) => new RegExp(`^/v1/prices/${priceId}$`),
      prepare: async () => {
        const priceId = `price_faults_probe_${++priceCounter}`;
        fake.addPrice({ id: priceId, type: 'recurring' });
        return returningAccount(priceId);
      },
      send: ({ account, priceId }) => billingCheckout(account, { priceId }),
      attempts: ({ priceId }) => fake.received('GET', `/v1/prices/${priceId}`),
    },
    {
      name: 'POST /v1/billing_portal/sessions (/api/subscriptions/portal)',
      phase: 1,
      envelope: false,
      startsCheckout: false,
      method: 'POST',
      path: () => /^\/v1\/billing_portal\/sessions$/,
      key: /^portal-[0-9a-f-]{36}$/,
      prepare: () => returningAccount(ONE_TIME),
      send: ({ account }) => portal(account),
      attempts: ({ customerId }) =>
        fake
          .received('POST', '/v1/billing_portal/sessions')
          .filter((call) => call.body.customer === customerId),
    },
    {
      name: 'POST /v1/checkout/sessions (returning customer, /api/billing/checkout)',
      phase: 2,
      envelope: true,
      startsCheckout: true,
      method: 'POST',
      path: () => /^\/v1\/checkout\/sessions$/,
      key: /^checkout-[0-9a-f-]{36}$/,
      prepare: () => returningAccount(RECURRING),
      send: ({ account }) => billingCheckout(account, { priceId: RECURRING }),
      attempts: ({ account, priceId }) =>
        fake
          .received('POST', '/v1/checkout/sessions')
          .filter(
            (call) =>
              call.body.client_reference_id === account.accountId &&
              (call.body.line_items as Array<Record<string, unknown>>)[0]?.price === priceId,
          ),
    },
  ];

  interface Answer {
    response: Response;
    elapsedMs: number;
  }

  interface Observation {
    site: string;
    status: number;
    body: unknown;
    retryAfter: string | undefined;
    attempts: number;
    keys: Array<string | undefined>;
    elapsedMs: number;
    halfWritten: string[];
    trialClaimed: boolean;
  }

  async function observe(site: CallSite, context: SiteContext, response: Response, elapsedMs: number) {
    const calls = site.attempts(context);
    return {
      site: site.name,
      status: response.status,
      body: response.body as unknown,
      retryAfter: response.headers['retry-after'] as string | undefined,
      attempts: calls.length,
      keys: [...new Set(calls.map((call) => call.idempotencyKey))],
      elapsedMs,
      halfWritten: await halfWrittenState(sut, fake, context.account.accountId),
      trialClaimed: await trialClaimed(sut, context.account.accountId),
    };
  }

  /** Sends each site's request with its fault in place, all of one phase at once. */
  async function underFault(
    faultCase: FaultCase,
    sites: CallSite[],
    contexts: SiteContext[],
  ): Promise<Answer[]> {
    for (const [index, site] of sites.entries()) {
      fake.injectFault(faultCase.fault, {
        times: faultCase.times,
        method: site.method,
        path: site.path(contexts[index]),
      });
    }
    try {
      return await Promise.all(
        sites.map(async (site, index) => {
          const started = performance.now();
          const response = await site.send(contexts[index]);
          return { response, elapsedMs: Math.round(performance.now() - started) };
        }),
      );
    } finally {
      fake.clearFaults();
    }
  }

  describe.each(FAULTS)('$name', (faultCase) => {
    it(`should answer ${faultCase.status} in each endpoint's shape after ${faultCase.attempts} attempt(s) under one key, leave nothing half-written, and let the next request through`, async () => {
      const contexts = await Promise.all(SITES.map((site) => site.prepare()));

      // The fault: each site fails on its own call; phase 2 after phase 1.
      const answers: Answer[] = [];
      for (const phase of [1, 2] as const) {
        const indexes = SITES.map((site, index) => (site.phase === phase ? index : -1)).filter((i) => i >= 0);
        const results = await underFault(
          faultCase,
          indexes.map((i) => SITES[i]),
          indexes.map((i) => contexts[i]),
        );
        indexes.forEach((siteIndex, i) => (answers[siteIndex] = results[i]));
      }
      const observed: Observation[] = await Promise.all(
        SITES.map((site, index) =>
          observe(site, contexts[index], answers[index].response, answers[index].elapsedMs),
        ),
      );

      // The next identical request, with the fault gone.
      const portalBefore = fake.portalSessions.size;
      const next = await Promise.all(SITES.map((site, index) => site.send(contexts[index])));
      const recovered = await Promise.all(
        SITES.map(async (site, index) => {
          const { account, priceId, customerId } = contexts[index];
          const response = next[index];
          const body = response.body as { id?: string; data?: { sessionId?: string } };
          const id = site.envelope ? body.data?.sessionId : body.id;
          const customers = customersAt(fake, account.accountId).map((customer) => customer.id);
          const rows = await sut.db.rows(
            sql<{
              id: string;
            }>`SELECT provider_customer_id AS id FROM customers WHERE account_id = ${account.accountId}`,
          );
          const sessions = site.startsCheckout ? sessionsAt(fake, account.accountId, priceId) : [];
          const openRows = site.startsCheckout
            ? await sut.db.rows(sql<{ id: string }>`SELECT provider_session_id AS id FROM checkout_sessions
                  WHERE account_id = ${account.accountId} AND price_id = ${priceId} AND status = 'open'`)
            : [];
          return {
            site: site.name,
            status: response.status,
            body: response.body as unknown,
            providerCustomers: customers.length,
            customerRows: rows.map((row) => row.id),
            sessionIds: site.startsCheckout
              ? sessions.map((session) => session.id)
              : [...fake.portalSessions.values()]
                  .filter((session) => session.customer === customerId && session.id === id)
                  .map((session) => session.id),
            openRows: openRows.map((row) => row.id),
            trialOnSession: sessions.map(
              (session) => (session._subscription_data as Record<string, unknown> | null)?.trial_period_days,
            ),
            trialClaimed: await trialClaimed(sut, account.accountId),
            halfWritten: await halfWrittenState(sut, fake, account.accountId),
            id,
          };
        }),
      );

      SITES.forEach((site, index) => {
        const seen = observed[index];
        table.push({
          fault: faultCase.name,
          site: site.name,
          client: describeAnswer(answers[index].response),
          retryAfter: seen.retryAfter ?? '-',
          attempts: seen.attempts,
          keys: seen.keys.length,
          elapsedMs: seen.elapsedMs,
          next: String(recovered[index].status),
        });
      });

      expect(observed).toEqual(
        SITES.map((site) => ({
          site: site.name,
          status: faultCase.status,
          body: expectedBody(site, faultCase.status),
          retryAfter: faultCase.status === 503 ? expect.stringMatching(/^[1-9]\d*$/) : undefined,
          attempts: faultCase.attempts,
          // Every attempt of the one call under one key: the service's own for POSTs, none for GETs.
          keys: [site.key ? expect.stringMatching(site.key) : undefined],
          elapsedMs: below(ELAPSED_BOUND_MS),
          halfWritten: [],
          // A failed checkout gives its trial back.
          trialClaimed: site.startsCheckout && faultCase.status === 200,
        })),
      );

      expect(recovered).toEqual(
        SITES.map((site, index) => {
          const { customerId } = contexts[index];
          return {
            site: site.name,
            status: 200,
            body: expectedBody(site, 200),
            // Exactly one provider customer, the one the database names.
            providerCustomers: 1,
            customerRows: [customerId ?? expect.stringMatching(/^cus_/)],
            // Exactly one provider session: the one the response names (a checkout that got
            // through under the fault is reused, not duplicated).
            sessionIds: [recovered[index].id],
            openRows: site.startsCheckout ? [recovered[index].id] : [],
            trialOnSession: site.startsCheckout ? [String(TRIAL_DAYS)] : [],
            trialClaimed: site.startsCheckout,
            halfWritten: [],
            id: expect.any(String),
          };
        }),
      );
      // The portal makes a new session for each request: the next one made exactly one.
      expect(fake.portalSessions.size - portalBefore).toBe(1);
      expect(
        await count(sut, sql`SELECT COUNT(*) AS n FROM customers WHERE provider_customer_id IS NULL`),
      ).toBe(0);
      expect(
        await count(sut, sql`SELECT COUNT(*) AS n FROM checkout_sessions WHERE status = 'pending'`),
      ).toBe(0);
    });
  });

  describe('Idempotency-Key on a request that failed with a 5xx', () => {
    const cases: Array<{ status: number; fault: Fault }> = [
      { status: 502, fault: { kind: 'status', status: 500 } },
      { status: 503, fault: { kind: 'reset' } },
    ];
    it.each(cases)(
      'should not keep the key after a $status, so that a retry under the same key runs and its answer is the one replayed',
      async ({ status, fault }) => {
        const account = await createAccount(sut);
        const key = `retry-after-${status}-${account.accountId}`;
        const send = () => subscriptionSession(account).set('idempotency-key', key);
        fake.injectFault(fault, { times: PERSISTENT, method: 'POST', path: /^\/v1\/customers$/ });

        const failed = await send();
        fake.clearFaults();

        expect(failed.status).toBe(status);
        expect(failed.body).toEqual({ error: serviceMessage });
        expect(
          await count(
            sut,
            sql`SELECT COUNT(*) AS n FROM idempotency_keys WHERE account_id = ${account.accountId}`,
          ),
        ).toBe(0);

        const retried = await send();
        expect(retried.status).toBe(200);
        expect(retried.headers['idempotent-replayed']).toBeUndefined();
        expect(retried.body).toEqual({ id: expect.stringMatching(/^cs_/), url: expect.any(String) });
        const providerPosts = fake.requests.filter((call) => call.method === 'POST').length;

        const replayed = await send();
        expect(replayed.status).toBe(200);
        expect(replayed.headers['idempotent-replayed']).toBe('true');
        expect(replayed.body).toEqual(retried.body);
        expect(fake.requests.filter((call) => call.method === 'POST')).toHaveLength(providerPosts);
        expect(customersAt(fake, account.accountId)).toHaveLength(1);
        expect(sessionsAt(fake, account.accountId, SUBSCRIPTION_PRICE).map((s) => s.id)).toEqual([
          retried.body.id,
        ]);
      },
    );
  });
});

/**
 * A reverse proxy in front of the fake that, while `dropping` matches, forwards a request, lets
 * the fake answer it (and so create the object), then resets the connection: the answer is lost
 * after the provider did the work. FakeStripe's own `reset` fault resets before doing anything.
 */
class LossyProxy {
  dropping: RegExp | null = null;
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly target: string) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const upstream = httpRequest(
          `${this.target}${request.url ?? '/'}`,
          { method: request.method, headers: request.headers },
          (answer) => {
            const body: Buffer[] = [];
            answer.on('data', (chunk: Buffer) => body.push(chunk));
            answer.on('end', () => {
              if (this.dropping?.test(new URL(request.url ?? '/', 'http://proxy').pathname)) {
                request.socket.destroy();
                return;
              }
              response.writeHead(answer.statusCode ?? 502, answer.headers);
              response.end(Buffer.concat(body));
            });
          },
        );
        upstream.on('error', () => request.socket.destroy());
        upstream.end(Buffer.concat(chunks));
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('provider faults: the answer lost after the provider made the customer (guarantees 1 and 9)', () => {
  let proxy: LossyProxy;
  const { fake, sut } = useStripeApp({
    prices: [{ id: SUBSCRIPTION_PRICE, type: 'recurring' }],
    // The service reaches the fake through a proxy that can lose answers.
    env: async (started) => {
      proxy = await new LossyProxy(started.url).start();
      return {
        STRIPE_API_URL: proxy.url,
        STRIPE_TIMEOUT_MS: String(TIMEOUT_MS),
        STRIPE_MAX_NETWORK_RETRIES: String(RETRIES),
      };
    },
  });

  afterAll(async () => {
    await proxy?.stop();
  });

  it('should not make a second provider customer when the request after the failure creates it again', async () => {
    const account = await createAccount(sut);
    const send = () =>
      sut
        .http()
        .post('/api/subscriptions/sessions')
        .set('x-api-key', account.apiKey)
        .send({ successUrl: SUCCESS_URL });
    proxy.dropping = /^\/v1\/customers$/;

    const started = performance.now();
    const failed = await send();
    const elapsedMs = performance.now() - started;
    proxy.dropping = null;
    const failedKeys = new Set(fake.received('POST', '/v1/customers').map((call) => call.idempotencyKey));

    expect(failed.status).toBe(503);
    expect(failed.body).toEqual({ error: serviceMessage });
    expect(elapsedMs).toBeLessThan(ELAPSED_BOUND_MS);
    expect(fake.received('POST', '/v1/customers')).toHaveLength(POLICY_ATTEMPTS);
    expect(failedKeys.size).toBe(1);
    // The provider made the customer on the first attempt; the retries were replays of it.
    expect(customersAt(fake, account.accountId)).toHaveLength(1);
    expect(await halfWrittenState(sut, fake, account.accountId)).toEqual([]);

    const next = await send();

    expect(next.status).toBe(200);
    // One customer for the account, ever: the next request must create the customer under the
    // failed call's key, so that the provider answers with the customer it already made.
    expect(customersAt(fake, account.accountId)).toHaveLength(1);
    const keys = new Set(fake.received('POST', '/v1/customers').map((call) => call.idempotencyKey));
    expect([...keys]).toEqual([...failedKeys]);
  });
});
