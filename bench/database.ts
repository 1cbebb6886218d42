import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { DatabaseConfig } from '../src/config/app-config';
import { createDataSource, runMigrations } from '../src/database/data-source';
import { SeededSubscription } from './shared';

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
  /** The id of its row in `customers`. */
  customerRowId: string;
}

/** An account with one active subscription, in the database and (once told) in the upstream. */
export interface BenchSubscriber extends BenchAccount {
  subscription: SeededSubscription;
}

const BATCH_ROWS = 500;
const DAY_S = 86_400;

type QueryRunner = ReturnType<DataSource['createQueryRunner']>;

/** Multi-row INSERTs of BATCH_ROWS rows, with the driver's own escaping (Dates and booleans as the service stores them). */
async function insertRows(
  database: BenchDatabase,
  runner: QueryRunner,
  table: string,
  columns: string[],
  rows: unknown[][],
): Promise<void> {
  for (let start = 0; start < rows.length; start += BATCH_ROWS) {
    const params: Record<string, unknown> = {};
    const tuples = rows.slice(start, start + BATCH_ROWS).map((values, r) => {
      const names = values.map((value, c) => {
        params[`p${r}_${c}`] = value;
        return `:p${r}_${c}`;
      });
      return `(${names.join(', ')})`;
    });
    const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`;
    const [text, bound] = database.dataSource.driver.escapeQueryWithParameters(sql, params);
    await runner.query(text, bound);
  }
}

/** Runs `work` in one transaction on a connection of its own. */
async function inTransaction(database: BenchDatabase, work: (runner: QueryRunner) => Promise<void>) {
  const runner = database.dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    await work(runner);
    await runner.commitTransaction();
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    await runner.release();
  }
}

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
  await inTransaction(database, async (runner) => {
    await insertRows(
      database,
      runner,
      'accounts',
      ['id', 'name', 'email', 'platform_admin', 'trial_claimed_at', 'created_at'],
      rows.map((row) => [row.accountId, `Bench ${label}`, 'bench@example.com', false, now, now]),
    );
    await insertRows(
      database,
      runner,
      'api_keys',
      ['id', 'account_id', 'secret_hash', 'scopes', 'created_at'],
      rows.map((row) => [row.keyId, row.accountId, row.secretHash, '', now]),
    );
    await insertRows(
      database,
      runner,
      'customers',
      ['id', 'account_id', 'provider', 'mode', 'provider_customer_id', 'created_at'],
      rows.map((row) => [row.customerRowId, row.accountId, 'stripe', 'live', row.customerId, now]),
    );
  });
  return rows.map(({ accountId, apiKey, customerId, customerRowId }) => ({
    accountId,
    apiKey,
    customerId,
    customerRowId,
  }));
}

/**
 * `count` accounts as seedAccounts makes them, each with one active subscription of `quantity` ×
 * `priceId` on day 10 of a 30-day period, stored as the service stores what the provider reported
 * (one item, its id, the period's start and end). The upstream does not know them yet: hand
 * `subscription` to it (HelperProcess.putSubscriptions) before the service is asked about them.
 */
export async function seedSubscribers(
  database: BenchDatabase,
  count: number,
  label: string,
  options: { priceId: string; quantity: number },
): Promise<BenchSubscriber[]> {
  const accounts = await seedAccounts(database, count, label);
  const nowS = Math.floor(Date.now() / 1000);
  const periodStart = nowS - 10 * DAY_S;
  const periodEnd = periodStart + 30 * DAY_S;
  const subscribers = accounts.map((account) => {
    const tag = randomBytes(12).toString('hex');
    return {
      ...account,
      subscription: {
        id: `sub_bench_${tag}`,
        customer: account.customerId,
        itemId: `si_bench_${tag}`,
        priceId: options.priceId,
        quantity: options.quantity,
        periodStart,
        periodEnd,
      },
    };
  });
  const at = (seconds: number) => new Date(seconds * 1000);
  // The state as of an hour ago: whatever the upstream reports now is newer.
  const reportedAt = at(nowS - 3600);
  await inTransaction(database, (runner) =>
    insertRows(
      database,
      runner,
      'subscriptions',
      [
        'id',
        'account_id',
        'customer_id',
        'provider',
        'mode',
        'provider_subscription_id',
        'status',
        'price_id',
        'quantity',
        'item_id',
        'item_count',
        'current_period_start',
        'current_period_end',
        'cancel_at_period_end',
        'provider_updated_at',
        'created_at',
        'updated_at',
      ],
      subscribers.map(({ accountId, customerRowId, subscription: s }) => [
        randomUUID(),
        accountId,
        customerRowId,
        'stripe',
        'live',
        s.id,
        'active',
        s.priceId,
        s.quantity,
        s.itemId,
        1,
        at(s.periodStart),
        at(s.periodEnd),
        false,
        reportedAt,
        reportedAt,
        reportedAt,
      ]),
    ),
  );
  return subscribers;
}

/** Fresh planner statistics after a bulk load (PostgreSQL; SQLite plans without them). */
export async function analyze(database: BenchDatabase): Promise<void> {
  if (database.kind === 'postgres')
    await database.dataSource.query('ANALYZE accounts, api_keys, customers, subscriptions');
}

/** How many webhook events the service has applied (each is recorded once, by id). */
export async function countWebhookEvents(database: BenchDatabase): Promise<number> {
  const [row] = await database.dataSource.query<Array<{ n: number | string }>>(
    'SELECT COUNT(*) AS n FROM webhook_events',
  );
  return Number(row.n);
}
