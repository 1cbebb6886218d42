import { sql } from 'kysely';
import { createAccount, startTestApp, TestApp } from '../support/test-app';

/**
 * DATABASE_PREPARED_STATEMENTS: named prepared statements by default; sent unnamed when false
 * (PgBouncer in transaction mode before 1.21 cannot keep named statements per client).
 */
describe('Prepared statements on PostgreSQL', () => {
  /** Prepared statements of the connection the count runs on, after some requests. */
  async function preparedAfterRequests(sut: TestApp): Promise<number> {
    const account = await createAccount(sut);
    for (let i = 0; i < 3; i++)
      await sut.http().get('/api/subscriptions/me').set('x-api-key', account.apiKey).expect(200);
    // One connection at a time: the count runs where the requests' statements ran.
    return sut.db.transaction(async (tx) => {
      const row = await sut.db.first(
        sql<{ n: unknown }>`SELECT COUNT(*) AS n FROM pg_prepared_statements`,
        tx,
      );
      return Number(row?.n);
    });
  }

  it.each<[string, string, boolean]>([
    ['name', 'true', true],
    ['not name', 'false', false],
  ])('should %s its statements with DATABASE_PREPARED_STATEMENTS=%s', async (_label, value, named) => {
    const sut = await startTestApp({ DATABASE_PREPARED_STATEMENTS: value, API_KEY_CACHE_TTL_MS: '0' });
    try {
      const prepared = await preparedAfterRequests(sut);
      if (named) expect(prepared).toBeGreaterThan(0);
      else expect(prepared).toBe(0);
    } finally {
      await sut.close();
    }
  });
});
