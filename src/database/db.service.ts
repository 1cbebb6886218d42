import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { DataSource, QueryRunner } from 'typeorm';
import { DateUtils } from 'typeorm/util/DateUtils';
import { DatabaseUnavailableError, DatabaseUnavailableReason } from '../common/errors/domain-errors';
import { AsyncMutex } from './async-mutex';
import { Dialect } from './portable-columns';
import { SqlTemplate, statementName } from './sql-template';

export type SqlParams = Record<string, unknown>;

/** A transaction in progress; pass it to repository methods so they run inside it. */
export interface Tx {
  readonly runner?: QueryRunner;
  readonly client?: PoolClient;
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300', // too_many_connections
  '57014', // query_canceled (statement_timeout)
  '55P03', // lock_not_available
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
]);

const CONNECTION_ERROR_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'connect ECONNREFUSED',
  'Connection ended unexpectedly',
  'Query read timeout',
];

/**
 * The PostgreSQL SQLSTATE when the database refused a value itself (class 22, data exception: a
 * string too long, a number or time out of range), else null. Sending the same value again fails
 * the same way.
 */
export function isDataError(error: unknown): string | null {
  const candidates = [error, (error as { driverError?: unknown } | null)?.driverError];
  for (const candidate of candidates) {
    const code = (candidate as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code)) return code;
  }
  return null;
}

/**
 * Storage that does not take writes: a full disk, a read-only database (a read-only file or
 * transaction, a standby server), failing I/O, no memory. Each clears without the caller doing
 * anything different, so each is a 503. Corruption (SQLITE_CORRUPT, SQLITE_NOTADB, XX001) is not
 * here: it does not go away by waiting, so it stays a 500 with the full error in the log.
 */
const STORAGE_ERROR_CODES: ReadonlyMap<string, DatabaseUnavailableReason> = new Map([
  ['53100', 'full'], // disk_full
  ['53000', 'out-of-resources'], // insufficient_resources
  ['53200', 'out-of-resources'], // out_of_memory
  ['25006', 'read-only'], // read_only_sql_transaction
  ['58030', 'io-error'], // io_error
  ['SQLITE_FULL', 'full'],
  ['SQLITE_NOMEM', 'out-of-resources'],
  ['SQLITE_IOERR_NOMEM', 'out-of-resources'],
]);

/** SQLite's extended result codes, by their primary code (SQLITE_READONLY_DBMOVED, SQLITE_IOERR_WRITE, …). */
const STORAGE_ERROR_PREFIXES: ReadonlyArray<[string, DatabaseUnavailableReason]> = [
  ['SQLITE_READONLY', 'read-only'],
  ['SQLITE_IOERR', 'io-error'],
  ['SQLITE_CANTOPEN', 'io-error'],
];

/**
 * Why the database cannot serve a request for now (503, worth a retry), or null when the error
 * is of another kind (a bug, a constraint, corruption).
 */
export function unavailableReason(error: unknown): DatabaseUnavailableReason | null {
  if (error instanceof DatabaseUnavailableError) return error.reason;
  const candidates = [error, (error as { driverError?: unknown } | null)?.driverError];
  for (const candidate of candidates) {
    // Not `instanceof Error`: errors raised by Node itself may come from another realm.
    if (candidate === null || typeof candidate !== 'object') continue;
    const { code, message } = candidate as { code?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (CONNECTION_ERROR_CODES.has(code)) return 'connection';
      const storage =
        STORAGE_ERROR_CODES.get(code) ??
        STORAGE_ERROR_PREFIXES.find(([prefix]) => code === prefix || code.startsWith(`${prefix}_`))?.[1];
      if (storage) return storage;
    }
    if (typeof message === 'string' && CONNECTION_ERROR_MESSAGES.some((text) => message.includes(text)))
      return 'connection';
  }
  return null;
}

/** Whether the database could not be reached or did not answer in time. */
export function isConnectionError(error: unknown): boolean {
  return unavailableReason(error) === 'connection';
}

/**
 * The one way request code talks to the database: statements with named parameters (`:name`),
 * transactions, and failures that waiting will clear (no connection, storage that does not take
 * writes) turned into DatabaseUnavailableError (503).
 *
 * On PostgreSQL statements go straight to the driver's connection pool as named prepared
 * statements (parsed and planned once per connection); TypeORM owns the pool, the schema and the
 * migrations. SQLite runs on TypeORM's one connection, so statements of concurrent requests would
 * otherwise land inside each other's transactions: there every statement and transaction takes a
 * mutex.
 */
@Injectable()
export class Db {
  readonly dialect: Dialect;
  private readonly sqliteLock: AsyncMutex | null;
  private readonly pool: Pool | null;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
    this.sqliteLock = this.dialect === 'sqlite' ? new AsyncMutex() : null;
    this.pool =
      this.dialect === 'postgres'
        ? ((dataSource.driver as unknown as { master: Pool }).master ?? null)
        : null;
  }

  async query<T = Record<string, unknown>>(sql: string, params: SqlParams = {}, tx?: Tx): Promise<T[]> {
    return (await this.run(sql, params, tx)).records as T[];
  }

  async one<T = Record<string, unknown>>(
    sql: string,
    params: SqlParams = {},
    tx?: Tx,
  ): Promise<T | undefined> {
    return (await this.query<T>(sql, params, tx))[0];
  }

  /** Runs a statement and returns the number of rows it changed. */
  async execute(sql: string, params: SqlParams = {}, tx?: Tx): Promise<number> {
    return (await this.run(sql, params, tx)).affected;
  }

  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    try {
      if (this.pool) return await this.postgresTransaction(this.pool, work);
      return await this.sqliteLock!.run(() => this.sqliteTransaction(work));
    } catch (error) {
      throw this.translate(error);
    }
  }

  /**
   * A typed parameter, for places PostgreSQL cannot infer the type from (the select list of
   * `INSERT … SELECT`): `CAST(:name AS uuid)` there, the bare parameter on SQLite.
   */
  param(name: string, type: 'uuid' | 'varchar' | 'timestamp' | 'integer' | 'boolean'): string {
    if (this.dialect === 'sqlite') return `:${name}`;
    return `CAST(:${name} AS ${type === 'timestamp' ? 'timestamptz' : type})`;
  }

  private async run(
    sql: string,
    params: SqlParams,
    tx?: Tx,
  ): Promise<{ records: unknown[]; affected: number }> {
    try {
      if (this.pool) {
        const { text, values } = SqlTemplate.of(sql).bind(params, 'postgres', postgresValue);
        const result = await (tx?.client ?? this.pool).query({ name: statementName(text), text, values });
        return { records: result.rows, affected: result.rowCount ?? 0 };
      }
      const { text, values } = SqlTemplate.of(sql).bind(params, 'sqlite', sqliteValue);
      const statement = async () => {
        const runner = tx?.runner ?? this.dataSource.createQueryRunner();
        try {
          const result = await runner.query(text, values, true);
          return { records: result.records ?? [], affected: result.affected ?? 0 };
        } finally {
          if (!tx) await runner.release();
        }
      };
      // Inside a transaction the lock is already held by it.
      return tx ? await statement() : await this.sqliteLock!.run(statement);
    } catch (error) {
      throw this.translate(error);
    }
  }

  private async postgresTransaction<T>(pool: Pool, work: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken: Error | undefined;
    // The pool listens for errors of idle connections only: a connection that dies while a
    // transaction holds it emits 'error' on it, which would otherwise end the process. Its
    // queries fail with the error too, so it is enough to remember it.
    const onError = (error: Error) => (broken = error);
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      try {
        const result = await work({ client });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } catch (error) {
      // A connection that failed is not handed to the next request.
      if (isConnectionError(error)) broken = error as Error;
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  /**
   * BEGIN, COMMIT and ROLLBACK are sent as statements, and whether a transaction is still open is
   * asked of SQLite itself: after a commit the disk refused (SQLITE_IOERR, SQLITE_FULL) SQLite has
   * already rolled back, and TypeORM's own bookkeeping would still count the transaction as open,
   * turn the next BEGIN into a SAVEPOINT, and after the next failure leave the connection inside a
   * transaction that nothing ever commits.
   */
  private async sqliteTransaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      // IMMEDIATE: the write lock is taken (or waited for) up front, so that another process's
      // writer cannot deadlock this one halfway through (which SQLite answers with SQLITE_BUSY).
      await runner.query('BEGIN IMMEDIATE');
      try {
        const result = await work({ runner });
        await runner.query('COMMIT');
        return result;
      } catch (error) {
        if (this.sqliteInTransaction()) await runner.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      await runner.release();
    }
  }

  private sqliteInTransaction(): boolean {
    return (this.dataSource.driver as unknown as { databaseConnection: { inTransaction: boolean } })
      .databaseConnection.inTransaction;
  }

  private translate(error: unknown): unknown {
    if (error instanceof DatabaseUnavailableError) return error;
    const reason = unavailableReason(error);
    return reason ? new DatabaseUnavailableError(error, reason) : error;
  }
}

/** PostgreSQL takes Dates and booleans as they are; a missing value is NULL. */
const postgresValue = (value: unknown): unknown => (value === undefined ? null : value);

/** SQLite keeps times as UTC text (as TypeORM writes them) and booleans as 0/1. */
const sqliteValue = (value: unknown): unknown => {
  if (value === undefined) return null;
  if (value instanceof Date) return DateUtils.mixedDateToUtcDatetimeString(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
};

/** Rows from SQLite carry times as text in UTC; PostgreSQL gives Date objects. */
export function toDate(value: unknown): Date | null {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value !== 'string') return null;
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
}

export function toBoolean(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}
