import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { existsSync } from 'node:fs';
import { Database } from '../src/database/database';
import { sqliteFileDatabase, TestDatabase } from './support/database';
import { APP_ORIGIN, createAccount, startTestApp, TestAccount, TestApp } from './support/test-app';

/**
 * A SQLite database that stops taking writes under the running service: its connection refuses
 * writes (`PRAGMA query_only`, as a file the process may no longer write does) or may not grow
 * any more (`PRAGMA max_page_count`, as a full disk). Requests that need to write get 503
 * UNAVAILABLE with Retry-After in their endpoint's shape and leave nothing behind, /health says the
 * database does not take writes, and both recover by themselves when the condition ends.
 */

/** The largest metadata a checkout takes (49 keys of 500 characters besides the service's own). */
const LARGE_METADATA = Object.fromEntries(
  Array.from({ length: 49 }, (_, i) => [`key_${i}`, String(i % 10).repeat(500)]),
);

/** The SQLite result code of a failure, wherever the layers above put it. */
function sqliteCode(error: unknown): string | undefined {
  for (let current: unknown = error; current && typeof current === 'object';) {
    const { code, cause, driverError } = current as {
      code?: unknown;
      cause?: unknown;
      driverError?: unknown;
    };
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return code;
    current = driverError ?? cause;
  }
  return undefined;
}

/** Rows in every table of the service, by table (the health probe's own table aside). */
async function rowCounts(db: Database): Promise<Record<string, number>> {
  const tables = await db.rows(sql<{ name: string }>`SELECT name FROM sqlite_master
      WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('health_probes', 'storage_filler')`);
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await db.rows(sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.id(name)}`);
    counts[name] = Number(row.n);
  }
  return counts;
}

/** Fills the database up to `max_page_count`: first with whole pages, then with what still fits. */
async function fillUp(db: Database): Promise<void> {
  await db.changes(sql`CREATE TABLE IF NOT EXISTS storage_filler (data BLOB)`);
  const [{ pageCount: pages }] = await db.rows(sql<{ pageCount: number }>`PRAGMA page_count`);
  await db.rows(sql`PRAGMA max_page_count = ${sql.raw(String(pages))}`);
  for (const size of [4096, 512, 64, 1]) {
    for (;;) {
      try {
        await db.changes(sql`INSERT INTO storage_filler (data) VALUES (zeroblob(${size}))`);
      } catch {
        break;
      }
    }
  }
}

describe('Requests and /health while SQLite does not take writes', () => {
  let database: TestDatabase & { path: string };
  let sut: TestApp;

  beforeAll(async () => {
    database = sqliteFileDatabase();
    sut = await startTestApp({}, { database });
  });

  afterAll(async () => {
    await sut?.close();
    await database?.drop();
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

  const health = () => sut.http().get('/health');

  /** Whether another connection sees the checkout: committed, not left in an open transaction. */
  const committedCheckout = (providerSessionId: string) => {
    const other = new BetterSqlite3(database.path, { readonly: true, timeout: 5_000 });
    try {
      return other
        .prepare('SELECT status FROM checkout_sessions WHERE provider_session_id = ?')
        .get(providerSessionId) as { status: string } | undefined;
    } finally {
      other.close();
    }
  };

  describe('when its connection refuses writes (PRAGMA query_only)', () => {
    let account: TestAccount;
    let before: Record<string, number>;

    beforeAll(async () => {
      account = await createAccount(sut);
      await health().expect(200);
      before = await rowCounts(sut.db);
      await sut.db.rows(sql`PRAGMA query_only = 1`);
    });

    afterAll(async () => {
      await sut.db.rows(sql`PRAGMA query_only = 0`);
    });

    it('should answer POST /api/subscriptions/sessions with 503 {error} and Retry-After', async () => {
      const response = await sut
        .http()
        .post('/api/subscriptions/sessions')
        .set('x-api-key', account.apiKey)
        .send({ successUrl: `${APP_ORIGIN}/welcome` });

      expectUnavailable(response, 'simple');
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
      const response = await health();

      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({
        status: 'error',
        error: { database: { status: 'down', writable: false, message: 'The database is read-only' } },
      });
    });

    it('should have written nothing', async () => {
      expect(await rowCounts(sut.db)).toEqual(before);
    });

    it('should take writes again as soon as the connection does, without a restart', async () => {
      await sut.db.rows(sql`PRAGMA query_only = 0`);

      const response = await health();
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        status: 'ok',
        info: { database: { status: 'up', writable: true } },
      });
      const session = await sut
        .http()
        .post('/api/subscriptions/sessions')
        .set('x-api-key', account.apiKey)
        .send({ successUrl: `${APP_ORIGIN}/welcome` })
        .expect(200);
      expect(committedCheckout((session.body as { id: string }).id)).toEqual({ status: 'open' });
    });
  });

  describe('when the database may not grow (PRAGMA max_page_count, as on a full disk)', () => {
    let account: TestAccount;
    let before: Record<string, number>;
    const largeCheckout = () =>
      sut
        .http()
        .post('/api/billing/checkout')
        .set('x-api-key', account.apiKey)
        .send({
          priceId: 'price_sandbox_credits',
          mode: 'payment',
          // Not the checkout made below: a new one, which the service must write.
          quantity: 2,
          successUrl: `${APP_ORIGIN}/thanks`,
          cancelUrl: `${APP_ORIGIN}/shop`,
          metadata: LARGE_METADATA,
        });

    beforeAll(async () => {
      account = await createAccount(sut);
      // The account's provider customer exists already: what follows needs room only for itself.
      await sut
        .http()
        .post('/api/billing/checkout')
        .set('x-api-key', account.apiKey)
        .send({
          priceId: 'price_sandbox_credits',
          mode: 'payment',
          successUrl: `${APP_ORIGIN}/thanks`,
          cancelUrl: `${APP_ORIGIN}/shop`,
        })
        .expect(200);
      await health().expect(200);
      before = await rowCounts(sut.db);
      await fillUp(sut.db);
    });

    afterAll(async () => {
      await sut.db.rows(sql`PRAGMA max_page_count = 1073741823`);
      await sut.db.changes(sql`DROP TABLE IF EXISTS storage_filler`);
    });

    it('should refuse the write itself with SQLITE_FULL (the condition holds)', async () => {
      const failure = await sut.db
        .changes(sql`INSERT INTO storage_filler (data) VALUES (zeroblob(4096))`)
        .then(
          () => undefined,
          (error: unknown) => error,
        );

      expect(sqliteCode(failure)).toBe('SQLITE_FULL');
    });

    it('should answer a checkout that needs room with 503 UNAVAILABLE in its envelope and Retry-After', async () => {
      expectUnavailable(await largeCheckout(), 'envelope');
    });

    it('should answer GET /health with 503 and name the database as not writable', async () => {
      const response = await health();

      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({
        status: 'error',
        error: { database: { status: 'down', writable: false, message: 'The database is full' } },
      });
    });

    it('should have written nothing', async () => {
      expect(await rowCounts(sut.db)).toEqual(before);
    });

    it('should take writes again once there is room, without a restart', async () => {
      await sut.db.rows(sql`PRAGMA max_page_count = 1073741823`);

      await health().expect(200);
      const response = await largeCheckout();
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ success: true, data: { sessionId: expect.any(String) } });
      const { sessionId } = (response.body as { data: { sessionId: string } }).data;
      expect(committedCheckout(sessionId)).toEqual({ status: 'open' });
    });
  });
});

describe('A SQLite file an earlier version left in WAL mode', () => {
  let database: TestDatabase & { path: string };
  let sut: TestApp | undefined;

  beforeAll(() => {
    database = sqliteFileDatabase();
    const earlier = new BetterSqlite3(database.path);
    earlier.pragma('journal_mode = WAL');
    earlier.exec('CREATE TABLE earlier_rows (id INTEGER PRIMARY KEY)');
    earlier.exec('INSERT INTO earlier_rows (id) VALUES (1)');
    earlier.close();
  });

  afterAll(async () => {
    await sut?.close();
    await database.drop();
  });

  it('should be taken out of WAL mode (no memory-mapped -shm) when the service opens it, its rows kept', async () => {
    sut = await startTestApp({}, { database });

    const other = new BetterSqlite3(database.path, { readonly: true });
    try {
      expect(other.pragma('journal_mode', { simple: true })).toBe('delete');
      expect(other.prepare('SELECT id FROM earlier_rows').pluck().all()).toEqual([1]);
    } finally {
      other.close();
    }
    expect(existsSync(`${database.path}-wal`)).toBe(false);
    expect(existsSync(`${database.path}-shm`)).toBe(false);
  });
});
