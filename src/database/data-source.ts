import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { DatabaseConfig } from '../config/app-config';
import { ENTITIES, MIGRATIONS } from './entities';
import { applyDialectColumnTypes } from './portable-columns';
import { SnakeNamingStrategy } from './snake-naming.strategy';

/** How long a request waits for a pooled PostgreSQL connection before answering 503. */
const CONNECT_TIMEOUT_MS = 2_000;
/** Every statement of this service is small; one that runs this long is stuck behind a lock. */
const STATEMENT_TIMEOUT_MS = 5_000;
/**
 * The server enforces statement_timeout only when it gets the query: a connection that has gone
 * silent (a network partition) needs the client's own timeout, or the request would hang.
 */
const QUERY_TIMEOUT_MS = STATEMENT_TIMEOUT_MS + 1_000;

export function buildDataSourceOptions(database: DatabaseConfig): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    logging: false,
  } as const;

  if (database.kind === 'postgres') {
    applyDialectColumnTypes('postgres');
    return {
      ...common,
      type: 'postgres',
      url: database.url,
      extra: {
        max: 10,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        statement_timeout: STATEMENT_TIMEOUT_MS,
        query_timeout: QUERY_TIMEOUT_MS,
        idle_in_transaction_session_timeout: STATEMENT_TIMEOUT_MS,
        keepAlive: true,
      },
    };
  }

  applyDialectColumnTypes('sqlite');
  if (database.path !== ':memory:') mkdirSync(dirname(database.path), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: database.path,
    enableWAL: database.path !== ':memory:',
    prepareDatabase: (db: { pragma: (source: string) => unknown }) => {
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
    },
  };
}

/** Applies pending migrations; on PostgreSQL one instance at a time (an advisory lock). */
export async function runMigrations(dataSource: DataSource): Promise<void> {
  if (dataSource.options.type !== 'postgres') {
    await dataSource.runMigrations({ transaction: 'each' });
    return;
  }
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', ['billing-sessions:migrations']);
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', ['billing-sessions:migrations']);
    }
  } finally {
    await runner.release();
  }
}

export function createDataSource(database: DatabaseConfig): DataSource {
  return new DataSource(buildDataSourceOptions(database));
}
