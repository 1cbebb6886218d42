import { Client } from 'pg';
import { HEARTBEAT_TRUST_MS } from '../../src/auth/postgres-revocation.listener';
import { runAdminCommand } from '../../src/cli/admin-cli';
import { createTestDatabase, TestDatabase, withClient } from '../support/database';
import { FakeStripe } from '../support/fake-stripe';
import { ServiceProcess, startServiceProcess } from '../support/service-process';
import { APP_ORIGIN, signedEvent, STRIPE_KEY, SUBSCRIPTION_PRICE, WEBHOOK_SECRET } from '../support/test-app';
import { call, HttpResult, stopProcess } from './http-client';
import { TcpProxy } from './tcp-proxy';

/**
 * The database going away under a running service and coming back . The
 * PostgreSQL server is shared with other test files, so it is not stopped: the service reaches it
 * through a TCP proxy that cuts every connection and then refuses new ones (as a stopped server
 * does), drops them as they open, or leaves them hanging (as an unreachable host does).
 *
 * The service runs as its own process, as in production: errors raised by Node itself (such as
 * ECONNREFUSED) then come from the same realm as the service's code, which is not so inside Jest.
 */

/** The pool waits 2 s for a connection (src/database/data-source.ts): a failure must come soon after. */
const FAILURE_BOUND_MS = 5_000;
/** How soon the service must be ready again once the database is back, without a restart. */
const RECOVERY_BOUND_MS = 5_000;
/** A statement may run 10 s (statement_timeout, src/database/data-source.ts): a request must end soon after. */
const SILENT_CONNECTION_BOUND_MS = 15_000;
const OTHER_PRICE = 'price_team_monthly';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Account {
  accountId: string;
  apiKey: string;
}

describe('The database going away and coming back', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let fake: FakeStripe;
  let service: ServiceProcess | undefined;
  /** Measured times, by mode and step, for the record (printed when DB_FAULT_TIMINGS is set). */
  const timings: Record<string, number> = {};

  const sql = <T extends Record<string, unknown>>(text: string, values: unknown[] = []) =>
    withClient(database.url, async (client) => (await client.query<T>(text, values)).rows);

  async function newAccount(name: string): Promise<Account> {
    const postgres = { kind: 'postgres' as const, url: database.url, preparedStatements: true };
    const { accountId } = (await runAdminCommand(['accounts:create', '--name', name], postgres)) as {
      accountId: string;
    };
    const { apiKey } = (await runAdminCommand(['api-keys:create', '--account', accountId], postgres)) as {
      apiKey: string;
    };
    return { accountId, apiKey };
  }

  /** Polls GET /health until it answers 200 or `boundMs` has passed; the last answer and the time taken. */
  async function waitUntilHealthy(boundMs: number) {
    const start = Date.now();
    let health = await call(service!, 'GET', '/health');
    while (health.status !== 200 && Date.now() - start < boundMs) {
      await sleep(100);
      health = await call(service!, 'GET', '/health');
    }
    return { health, ms: Date.now() - start };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    expect(database.kind).toBe('postgres');
    const server = new URL(database.url);
    proxy = await new TcpProxy({ host: server.hostname, port: Number(server.port || 5432) }).start();
    fake = await new FakeStripe().start();
    fake.addPrice({ id: SUBSCRIPTION_PRICE, type: 'recurring' });
    fake.addPrice({ id: OTHER_PRICE, type: 'recurring' });
    service = await startServiceProcess({
      // The service's only way to the database is the proxy; the schema is the created one.
      DATABASE_URL: proxy.proxiedUrl(database.url),
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: STRIPE_KEY,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_URL: fake.url,
      STRIPE_TIMEOUT_MS: '2000',
      SUBSCRIPTION_PRICE_ID: SUBSCRIPTION_PRICE,
      ALLOWED_REDIRECT_ORIGINS: `${APP_ORIGIN},http://localhost:*`,
      RATE_LIMIT_PER_MINUTE: '1000000',
      LOG_LEVEL: 'warn',
      SHUTDOWN_GRACE_MS: '3000',
    });
  }, 45_000);

  afterAll(async () => {
    await proxy?.restore().catch(() => undefined);
    if (service) await stopProcess(service);
    await proxy?.stop();
    await fake?.stop();
    await database?.drop();
    if (process.env.DB_FAULT_TIMINGS)
      process.stdout.write(`database fault timings (ms): ${JSON.stringify(timings)}\n`);
  }, 30_000);

  it('should reach the database only through the proxy', async () => {
    const before = proxy.accepted;
    await proxy.cut('refuse');
    await proxy.restore();

    const { health } = await waitUntilHealthy(RECOVERY_BOUND_MS);

    expect(health.status).toBe(200);
    // Its connections were cut, so answering needed a new one, and that came through the proxy.
    expect(proxy.accepted).toBeGreaterThan(before);
  });

  describe.each([
    ['stopped: its port refuses connections', 'stopped' as const],
    ['dropping every connection as it opens', 'refuse' as const],
    ['unreachable, its connections left hanging', 'hang' as const],
  ])('while the database is %s', (_name, mode) => {
    /** Starts afresh once the database is back; its key was used while the database was up. */
    let account: Account;
    /** Its key is first presented while the database is down. */
    let unseen: Account;
    let webhook: { payload: string; signature: string; id: string };
    let subscriptionId: string;

    const startSession = (key: string) =>
      call(service!, 'POST', '/api/subscriptions/sessions', {
        apiKey: key,
        body: { successUrl: `${APP_ORIGIN}/welcome` },
      });
    const startCheckout = (key: string) =>
      call(service!, 'POST', '/api/billing/checkout', {
        apiKey: key,
        body: { priceId: OTHER_PRICE, successUrl: `${APP_ORIGIN}/ok`, cancelUrl: `${APP_ORIGIN}/cancel` },
      });
    const deliverWebhook = () =>
      call(service!, 'POST', '/api/webhooks/stripe', {
        raw: webhook.payload,
        headers: { 'stripe-signature': webhook.signature },
      });

    function expectUnavailable(response: HttpResult, shape: 'simple' | 'envelope', step: string) {
      timings[`${mode}: ${step}`] = response.ms;
      expect({ step, status: response.status }).toEqual({ step, status: 503 });
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      if (shape === 'envelope') {
        expect(response.body).toEqual({
          success: false,
          error: { code: 'UNAVAILABLE', message: expect.any(String) },
        });
      } else {
        expect(response.body).toEqual({ error: expect.any(String) });
      }
      expect(response.ms).toBeLessThan(FAILURE_BOUND_MS);
    }

    beforeAll(async () => {
      // Made while the database is up: an account with an open checkout whose completion Stripe
      // reports while the database is down, and two accounts that will start afresh.
      const completing = await newAccount(`Completing (${mode})`);
      const started = await startSession(completing.apiKey);
      expect(started.status).toBe(200);
      const { session, subscription } = fake.completeCheckout(started.body.id as string);
      subscriptionId = subscription.id;
      webhook = signedEvent('checkout.session.completed', session);
      account = await newAccount(`Fresh (${mode})`);
      unseen = await newAccount(`Unseen key (${mode})`);
      const me = await call(service!, 'GET', '/api/subscriptions/me', { apiKey: account.apiKey });
      expect(me.status).toBe(200);

      await proxy.cut(mode);
    });

    afterAll(async () => {
      // Whatever happened above, leave the database reachable and the service ready.
      await proxy.restore();
      await waitUntilHealthy(RECOVERY_BOUND_MS);
    });

    it('should answer GET /health with 503 and name the database as down', async () => {
      const response = await call(service!, 'GET', '/health');
      timings[`${mode}: GET /health`] = response.ms;

      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
      expect(response.ms).toBeLessThan(FAILURE_BOUND_MS);
    });

    it('should answer POST /api/subscriptions/sessions with 503 {error} and Retry-After, in bounded time', async () => {
      expectUnavailable(await startSession(account.apiKey), 'simple', 'POST /api/subscriptions/sessions');
    });

    it('should answer POST /api/billing/checkout with 503 UNAVAILABLE in its envelope and Retry-After', async () => {
      expectUnavailable(await startCheckout(account.apiKey), 'envelope', 'POST /api/billing/checkout');
    });

    it('should answer the portal and GET /api/subscriptions/me with 503 {error} too', async () => {
      const [portal, me] = await Promise.all([
        call(service!, 'POST', '/api/subscriptions/portal', {
          apiKey: account.apiKey,
          body: { returnUrl: `${APP_ORIGIN}/account` },
        }),
        call(service!, 'GET', '/api/subscriptions/me', { apiKey: account.apiKey }),
      ]);

      expectUnavailable(portal, 'simple', 'POST /api/subscriptions/portal');
      expectUnavailable(me, 'simple', 'GET /api/subscriptions/me');
    });

    it('should answer 503, not 401, to an API key it cannot look up', async () => {
      const [session, checkout] = await Promise.all([
        startSession(unseen.apiKey),
        startCheckout(unseen.apiKey),
      ]);

      expectUnavailable(session, 'simple', 'unseen API key');
      expectUnavailable(checkout, 'envelope', 'unseen API key, checkout');
    });

    it('should answer 30 requests at once with 503, none of them left waiting', async () => {
      const start = Date.now();
      const responses = await Promise.all(Array.from({ length: 30 }, () => startSession(account.apiKey)));
      timings[`${mode}: 30 requests at once (all answered)`] = Date.now() - start;

      expect(responses.map((response) => response.status)).toEqual(Array(30).fill(503));
      expect(Math.max(...responses.map((response) => response.ms))).toBeLessThan(FAILURE_BOUND_MS);
    });

    it('should answer a webhook it cannot store with a 5xx, so that Stripe delivers it again', async () => {
      const response = await deliverWebhook();
      timings[`${mode}: webhook`] = response.ms;

      expect(response.status).toBeGreaterThanOrEqual(500);
      expect(response.status).toBeLessThan(600);
      expect(response.body).toEqual({ error: expect.any(String) });
      expect(response.ms).toBeLessThan(FAILURE_BOUND_MS);
    });

    it('should be ready again by itself once the database is back, and serve requests and redeliveries', async () => {
      // Nothing was written by the requests refused above.
      expect(
        await sql('SELECT id FROM checkout_sessions WHERE account_id = ANY($1)', [
          [account.accountId, unseen.accountId],
        ]),
      ).toEqual([]);
      expect(await sql('SELECT id FROM webhook_events WHERE id = $1', [webhook.id])).toEqual([]);
      const pid = service!.child.pid;

      await proxy.restore();
      const { health, ms } = await waitUntilHealthy(RECOVERY_BOUND_MS);
      timings[`${mode}: recovery (until /health is 200)`] = ms;

      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
      const session = await startSession(account.apiKey);
      expect(session.status).toBe(200);
      expect(session.body.id).toMatch(/^cs_test_/);
      const checkout = await startCheckout(unseen.apiKey);
      expect(checkout.status).toBe(200);
      expect(checkout.body).toMatchObject({
        success: true,
        data: { sessionId: expect.stringMatching(/^cs_test_/) },
      });
      const redelivered = await deliverWebhook();
      expect(redelivered.body).toEqual({ received: true, outcome: 'applied' });
      expect(
        await sql('SELECT status FROM subscriptions WHERE provider_subscription_id = $1', [subscriptionId]),
      ).toEqual([{ status: 'trialing' }]);
      // The same process all along: it recovered without a restart.
      expect(service!.child.pid).toBe(pid);
      expect(service!.child.exitCode).toBeNull();
    });
  });

  describe('when the database fails in other ways', () => {
    it('should answer 5xx, not 401, when the database cancels the lookup of a valid API key', async () => {
      // A migration holding a lock on api_keys makes the lookup wait; the database then cancels it
      // (SQLSTATE 57014, as statement_timeout does after 10 s; here pg_cancel_backend does it at once).
      const victim = await newAccount('Cancelled lookup');
      const locker = new Client({ connectionString: database.url });
      await locker.connect();
      try {
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE api_keys IN ACCESS EXCLUSIVE MODE');
        const pending = call(service!, 'GET', '/api/subscriptions/me', {
          apiKey: victim.apiKey,
          timeoutMs: SILENT_CONNECTION_BOUND_MS,
        });
        let cancelled = 0;
        for (let waited = 0; cancelled === 0 && waited < 5_000; waited += 20) {
          const waiting = await locker.query<{ pid: number }>(
            "SELECT pid FROM pg_locks WHERE relation = 'api_keys'::regclass AND NOT granted",
          );
          for (const { pid } of waiting.rows) {
            await locker.query('SELECT pg_cancel_backend($1)', [pid]);
            cancelled++;
          }
          if (cancelled === 0) await sleep(20);
        }
        const response = await pending;
        timings['cancelled API key lookup'] = response.ms;

        expect(cancelled).toBeGreaterThan(0);
        // A server-side failure, in the endpoint's shape; never "Authentication required".
        expect(`${response.status} ${JSON.stringify(response.body)}`).toMatch(/^5\d\d \{"error":"[^"]+"\}$/);
      } finally {
        await locker.query('ROLLBACK').catch(() => undefined);
        await locker.end();
      }
    });

    it('should answer 503 in bounded time when its open connections go silent (a network partition)', async () => {
      const victim = await newAccount('Partitioned');
      // Connections in the pool, as after any busy moment; the account's `me` is then in memory.
      const warm = await Promise.all(
        Array.from({ length: 4 }, () =>
          call(service!, 'GET', '/api/subscriptions/me', { apiKey: victim.apiKey }),
        ),
      );
      expect(warm.map((response) => response.status)).toEqual([200, 200, 200, 200]);
      await proxy.cut('partition');
      const cutAt = Date.now();
      try {
        const [health, me] = await Promise.all([
          call(service!, 'GET', '/health', { timeoutMs: SILENT_CONNECTION_BOUND_MS }),
          call(service!, 'GET', '/api/subscriptions/me', {
            apiKey: victim.apiKey,
            timeoutMs: SILENT_CONNECTION_BOUND_MS,
          }),
        ]);
        timings['partition: GET /health'] = health.ms;
        timings['partition: GET /api/subscriptions/me'] = me.ms;

        expect(health.status).toBe(503);
        // Within HEARTBEAT_TRUST_MS of the last heartbeat heard, `me` may still come from memory
        // (docs/guarantees.md#g15), answering what was committed before the cut; else 503.
        const fromMemory = Date.now() - cutAt < HEARTBEAT_TRUST_MS && me.status === 200;
        expect({ status: me.status, body: me.body }).toEqual(
          fromMemory
            ? { status: 200, body: warm[0].body }
            : { status: 503, body: { error: expect.any(String) } },
        );

        // Once the listener has been silent past the bound, memory is not trusted: the database
        // is asked, and the answer is a 503 in bounded time, never the remembered 200.
        await sleep(Math.max(0, cutAt + HEARTBEAT_TRUST_MS + 500 - Date.now()));
        const later = await call(service!, 'GET', '/api/subscriptions/me', {
          apiKey: victim.apiKey,
          timeoutMs: SILENT_CONNECTION_BOUND_MS,
        });
        timings['partition, past the trust bound: GET /api/subscriptions/me'] = later.ms;
        expect({ status: later.status, body: later.body }).toEqual({
          status: 503,
          body: { error: expect.any(String) },
        });
      } finally {
        await proxy.restore();
        await waitUntilHealthy(RECOVERY_BOUND_MS);
      }
    });
  });
});
