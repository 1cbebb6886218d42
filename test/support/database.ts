import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/** The PostgreSQL server the e2e tests use, when TEST_DATABASE_URL is set. */
export const postgresUrl = (): string | undefined => process.env.TEST_DATABASE_URL || undefined;

export interface TestDatabase {
  url: string;
  kind: 'sqlite' | 'postgres';
  drop(): Promise<void>;
}

/**
 * A database of its own for one test file: a fresh in-memory SQLite database (a file when several
 * app instances share it), or a fresh schema on the PostgreSQL server (selected through the
 * connection's search_path), dropped afterwards.
 */
export async function createTestDatabase(options: { shared?: boolean } = {}): Promise<TestDatabase> {
  const base = postgresUrl();
  // Several app instances in one test need one database: a file, not a connection's memory.
  if (!base && options.shared) return sqliteFileDatabase();
  if (!base) return { url: 'sqlite::memory:', kind: 'sqlite', drop: () => Promise.resolve() };
  const schema = `test_${randomBytes(6).toString('hex')}`;
  await withClient(base, (client) => client.query(`CREATE SCHEMA ${schema}`));
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    kind: 'postgres',
    drop: () =>
      withClient(base, (client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)).then(
        () => undefined,
      ),
  };
}

/** A SQLite database in a file of its own under the temporary directory, whatever TEST_DATABASE_URL says. */
export function sqliteFileDatabase(): TestDatabase & { path: string } {
  const path = join(tmpdir(), `billing-test-${randomBytes(6).toString('hex')}.sqlite`);
  const drop = () => {
    // A journal is left behind by a process that stopped in the middle of a transaction.
    for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
    return Promise.resolve();
  };
  return { url: `sqlite:${path}`, kind: 'sqlite', path, drop };
}

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
