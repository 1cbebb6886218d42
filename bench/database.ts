import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { DatabaseConfig } from '../src/config/app-config';
import { createDataSource, runMigrations } from '../src/database/data-source';

/**
 * The benchmark's own database: a fresh PostgreSQL schema (dropped at the end) or a fresh SQLite
 * file (deleted at the end), migrated with the service's own migrations and filled directly with
 * bulk INSERTs, much faster than through the API or the admin command line.
 */
export interface BenchDatabase {
  kind: 'postgres' | 'sqlite';
  /** What the service gets as DATABASE_URL. */
  serviceUrl: string;
  /** For the report: where it lives, without any password. */
  description: string;
  /** The PostgreSQL server's address, for the round-trip proxy. */
  server?: { host: string; port: number };
  dataSource: DataSource;
  drop(): Promise<void>;
}

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export async function openBenchDatabase(raw: string): Promise<BenchDatabase> {
  if (raw.startsWith('postgres://') || raw.startsWith('postgresql://')) return openPostgres(raw);
  if (raw.startsWith('sqlite:')) return openSqlite(raw.slice('sqlite:'.length));
  throw new Error(`BENCH_DATABASE_URL must be postgres://… or sqlite:[path] (got "${raw}")`);
}

async function openPostgres(base: string): Promise<BenchDatabase> {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  await withClient(base, (client) => client.query(`CREATE SCHEMA ${schema}`));
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const serviceUrl = url.toString();
  let dataSource: DataSource | undefined;
  const drop = async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await withClient(base, (client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
  };
  try {
    dataSource = await migrate({ kind: 'postgres', url: serviceUrl, preparedStatements: true });
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }
  const shown = new URL(base);
  shown.password = '';
  return {
    kind: 'postgres',
    serviceUrl,
    description: `${shown.toString()} (schema ${schema})`,
    server: { host: url.hostname, port: Number(url.port || 5432) },
    dataSource,
    drop,
  };
}

/**
 * `sqlite:` alone: a file in the temp directory. `sqlite:<path>`: that file, which must not exist
 * yet (the benchmark deletes it at the end, so it will not take over a file someone keeps).
 */
async function openSqlite(givenPath: string): Promise<BenchDatabase> {
  const path = givenPath || join(tmpdir(), `billing-bench-${randomBytes(6).toString('hex')}.sqlite`);
  if (path === ':memory:') throw new Error('sqlite::memory: cannot be shared with the service process');
  if (existsSync(path)) throw new Error(`${path} exists; the benchmark needs a fresh SQLite file`);
  const remove = () => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  };
  let dataSource: DataSource | undefined;
  const drop = async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    remove();
  };
  try {
    dataSource = await migrate({ kind: 'sqlite', path });
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }
  return { kind: 'sqlite', serviceUrl: `sqlite:${path}`, description: `sqlite:${path}`, dataSource, drop };
}

async function migrate(config: DatabaseConfig): Promise<DataSource> {
  const dataSource = await createDataSource(config).initialize();
  await runMigrations(dataSource);
  return dataSource;
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** An account of the benchmark, with its API key (shown in full only here) and provider customer. */
export interface BenchAccount {
  accountId: string;
  apiKey: string;
  customerId: string;
}

const BATCH_ROWS = 500;

/**
 * Inserts `count` accounts, each with an API key and a provider customer (Stripe, live mode),
 * trial already claimed: returning customers, who get neither a new customer nor a new trial.
 * One transaction, multi-row INSERTs of BATCH_ROWS rows. API keys have the service's format,
 * `bsk_<id hex>_<secret base64url>`, and only the SHA-256 of the secret is stored.
 */
export async function seedAccounts(
  database: BenchDatabase,
  count: number,
  label: string,
): Promise<BenchAccount[]> {
  const now = new Date();
  const rows = Array.from({ length: count }, () => {
    const keyId = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    return {
      accountId: randomUUID(),
      keyId,
      apiKey: `bsk_${keyId.replace(/-/g, '')}_${secret}`,
      secretHash: createHash('sha256').update(secret).digest('hex'),
      customerRowId: randomUUID(),
      customerId: `cus_bench_${randomBytes(12).toString('hex')}`,
    };
  });
  const runner = database.dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    for (let start = 0; start < rows.length; start += BATCH_ROWS) {
      const batch = rows.slice(start, start + BATCH_ROWS);
      const insert = async (
        table: string,
        columns: string[],
        values: (row: (typeof rows)[number]) => unknown[],
      ) => {
        const params: Record<string, unknown> = {};
        const tuples = batch.map((row, r) => {
          const names = values(row).map((value, c) => {
            params[`p${r}_${c}`] = value;
            return `:p${r}_${c}`;
          });
          return `(${names.join(', ')})`;
        });
        const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`;
        // The driver's own escaping: Dates and booleans stored as the service stores them.
        const [text, bound] = database.dataSource.driver.escapeQueryWithParameters(sql, params);
        await runner.query(text, bound);
      };
      await insert(
        'accounts',
        ['id', 'name', 'email', 'platform_admin', 'trial_claimed_at', 'created_at'],
        (row) => [row.accountId, `Bench ${label}`, 'bench@example.com', false, now, now],
      );
      await insert('api_keys', ['id', 'account_id', 'secret_hash', 'scopes', 'created_at'], (row) => [
        row.keyId,
        row.accountId,
        row.secretHash,
        '',
        now,
      ]);
      await insert(
        'customers',
        ['id', 'account_id', 'provider', 'mode', 'provider_customer_id', 'created_at'],
        (row) => [row.customerRowId, row.accountId, 'stripe', 'live', row.customerId, now],
      );
    }
    await runner.commitTransaction();
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    await runner.release();
  }
  return rows.map(({ accountId, apiKey, customerId }) => ({ accountId, apiKey, customerId }));
}

/** Fresh planner statistics after a bulk load (PostgreSQL; SQLite plans without them). */
export async function analyze(database: BenchDatabase): Promise<void> {
  if (database.kind === 'postgres') await database.dataSource.query('ANALYZE accounts, api_keys, customers');
}

/** How many webhook events the service has applied (each is recorded once, by id). */
export async function countWebhookEvents(database: BenchDatabase): Promise<number> {
  const [row] = await database.dataSource.query<Array<{ n: number | string }>>(
    'SELECT COUNT(*) AS n FROM webhook_events',
  );
  return Number(row.n);
}
