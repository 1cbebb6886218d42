import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PoolConfig } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import { DatabaseConfig } from '../config/app-config';
import { ENTITIES, MIGRATIONS } from './entities';
import { SqliteHandle } from './kysely';
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

/** The PostgreSQL pool settings, for TypeORM's pool (migrations) and the service's (requests). */
export function postgresPoolConfig(): PoolConfig {
  return {
    max: 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    idle_in_transaction_session_timeout: STATEMENT_TIMEOUT_MS,
    keepAlive: true,
  };
}

/**
 * TypeORM's data source: the schema (entities), the migrations and their drift check. On SQLite
 * it also opens the one connection, which `onSqliteOpen` hands to the service's statements.
 */
export function buildDataSourceOptions(
  database: DatabaseConfig,
  options: { onSqliteOpen?: (handle: SqliteHandle) => void } = {},
): DataSourceOptions {
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
      // Migrations only: requests use a pool of their own (see createPostgresKysely).
      extra: { ...postgresPoolConfig(), max: 3 },
    };
  }

  applyDialectColumnTypes('sqlite');
  const inMemory = database.path === ':memory:';
  if (!inMemory) mkdirSync(dirname(database.path), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: database.path,
    enableWAL: false,
    prepareDatabase: (db: SqlitePragmas & SqliteHandle) => {
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
      if (!inMemory) useNoMappedFiles(db);
      options.onSqliteOpen?.(db);
    },
  };
}

interface SqlitePragmas {
  pragma(source: string, options?: { simple: true }): unknown;
}

/**
 * Keeps every file of the database out of the process's memory map. In WAL mode SQLite maps the
 * `-shm` wal-index (and with mmap_size > 0 the database) and writes to those pages directly; when
 * the kernel cannot let such a write through (the file was made immutable, its filesystem went
 * read-only or ran out of room) the answer is SIGBUS, which kills the process on the spot, with no
 * log line and every request in flight lost. With a rollback journal and mmap_size = 0 all I/O
 * is read() and write(), and the same failure comes back as an error (SQLITE_IOERR_WRITE,
 * SQLITE_FULL), answered 503. The journal costs an fsync or two per commit; every statement runs
 * on one connection anyway, so WAL's concurrent readers were never used. (WAL with
 * locking_mode=EXCLUSIVE keeps the wal-index in heap memory too, but locks the admin command
 * line out of the file while the service runs.)
 */
function useNoMappedFiles(db: SqlitePragmas): void {
  // Leaving WAL mode (a file an earlier version left in it) needs the file to itself.
  const mode = db.pragma('journal_mode = DELETE', { simple: true });
  if (mode !== 'delete') {
    throw new Error(
      `SQLite database stays in journal mode "${String(mode)}": close other programs that have it open`,
    );
  }
  db.pragma('mmap_size = 0');
  db.pragma('synchronous = FULL');
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

export function createDataSource(
  database: DatabaseConfig,
  options: { onSqliteOpen?: (handle: SqliteHandle) => void } = {},
): DataSource {
  return new DataSource(buildDataSourceOptions(database, options));
}
