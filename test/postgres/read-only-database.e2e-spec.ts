import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { Database } from '../../src/database/database';
import { postgresUrl, withClient, createTestDatabase, TestDatabase } from '../support/database';
import { APP_ORIGIN, createAccount, startTestApp, TestAccount, TestApp } from '../support/test-app';

/**
 * A PostgreSQL server that refuses writes under the running service (SQLSTATE 25006, as a standby
 * does, or a database set read-only): requests that need to write get 503 UNAVAILABLE with
 * Retry-After in their endpoint's shape and leave nothing behind, /health says the database does
 * not take writes, and the service recovers by itself once its new connections may write again.
 *
 * The service under test connects as a role of its own whose sessions are read-only
 * (`default_transaction_read_only`); a second instance, connected as the owner, made the schema and
 * the account. Ending the condition is what a failover does: the setting goes, the old
 * connections are terminated.
 */

const RECOVERY_BOUND_MS = 5_000;

/** Rows in every table of the schema, by table (the health probe's own table aside). */
async function rowCounts(db: Database): Promise<Record<string, number>> {
  const tables = await db.rows(sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'health_probes'`);
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await db.rows(sql<{ n: string }>`SELECT COUNT(*) AS n FROM ${sql.id(name)}`);
    counts[name] = Number(row.n);
  }
  return counts;
}

describe('Requests and /health while PostgreSQL refuses writes', () => {
  const role = `billing_read_only_${randomBytes(4).toString('hex')}`;
  const server = (sql: string) => withClient(postgresUrl()!, (client) => client.query(sql));
  let database: TestDatabase;
  let owner: TestApp;
  let sut: TestApp;
  let account: TestAccount;
  let before: Record<string, number>;

  beforeAll(async () => {
    database = await createTestDatabase();
    expect(database.kind).toBe('postgres');
    owner = await startTestApp({}, { database });
    const schema = new URL(database.url).searchParams.get('options')!.replace('-c search_path=', '');
    await server(`CREATE ROLE ${role} LOGIN`);
    await server(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
    await server(`GRANT ALL ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
    await server(`GRANT ALL ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role}`);
    await server(`ALTER ROLE ${role} SET default_transaction_read_only = on`);
    const url = new URL(database.url);
    url.username = role;
    sut = await startTestApp(
      {},
      { database: { url: url.toString(), kind: 'postgres', drop: () => Promise.resolve() } },
    );
    account = await createAccount(owner);
    before = await rowCounts(owner.db);
  });

  afterAll(async () => {
    await sut?.close();
    await owner?.close();
    await server(`DROP OWNED BY ${role}`).catch(() => undefined);
    await server(`DROP ROLE IF EXISTS ${role}`);
  });

  const expectUnavailable = (
    response: { status: number; headers: Record<string, string>; body: unknown },
    shape: 'envelope' | 'simple',
  ) => {
    expect({ status: response.status, body: response.body }).toEqual({
      status: 503,
      body:
        shape === 'envelope'
          ? { success: false, error: { code: 'UNAVAILABLE', message: expect.any(String) } }
          : { error: expect.any(String) },
    });
    expect(response.headers['retry-after']).toMatch(/^[1-9]\d*$/);
  };

  const startSession = () =>
    sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', account.apiKey)
      .send({ successUrl: `${APP_ORIGIN}/welcome` });

  it('should answer POST /api/subscriptions/sessions with 503 {error} and Retry-After', async () => {
    expectUnavailable(await startSession(), 'simple');
  });

  it('should answer POST /api/billing/checkout with 503 UNAVAILABLE in its envelope and Retry-After', async () => {
    const response = await sut
      .http()
      .post('/api/billing/checkout')
      .set('x-api-key', account.apiKey)
      .send({
        priceId: 'price_sandbox_yearly',
        successUrl: `${APP_ORIGIN}/welcome`,
        cancelUrl: `${APP_ORIGIN}/pricing`,
      });

    expectUnavailable(response, 'envelope');
  });

  it('should answer GET /health with 503 and name the database as not writable', async () => {
    const response = await sut.http().get('/health');

    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({
      status: 'error',
      error: { database: { status: 'down', writable: false, message: 'The database is read-only' } },
    });
  });

  it('should have written nothing', async () => {
    expect(await rowCounts(owner.db)).toEqual(before);
  });

  it('should take writes again by itself once new connections may write (a failover)', async () => {
    await server(`ALTER ROLE ${role} RESET default_transaction_read_only`);
    await server(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${role}'`);

    const deadline = Date.now() + RECOVERY_BOUND_MS;
    let health = await sut.http().get('/health');
    while (health.status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      health = await sut.http().get('/health');
    }

    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', info: { database: { status: 'up', writable: true } } });
    const session = await startSession();
    expect(session.status).toBe(200);
    const stored = await owner.db.rows(
      sql`SELECT status FROM checkout_sessions WHERE provider_session_id = ${(session.body as { id: string }).id}`,
    );
    expect(stored).toEqual([{ status: 'open' }]);
  });
});
