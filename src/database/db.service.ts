import { Injectable } from '@nestjs/common';
import { DataSource, QueryRunner } from 'typeorm';
import { DatabaseUnavailableError } from '../common/errors/domain-errors';
import { AsyncMutex } from './async-mutex';
import { Dialect } from './portable-columns';

export type SqlParams = Record<string, unknown>;

/** A transaction in progress; pass it to repository methods so they run inside it. */
export interface Tx {
  readonly runner: QueryRunner;
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

/** Whether the database could not be reached or did not answer in time (503, worth a retry). */
export function isConnectionError(error: unknown): boolean {
  const candidates = [error, (error as { driverError?: unknown } | null)?.driverError];
  return candidates.some((candidate) => {
    // Not `instanceof Error`: errors raised by Node itself may come from another realm.
    if (candidate === null || typeof candidate !== 'object') return false;
    const { code, message } = candidate as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return true;
    return typeof message === 'string' && CONNECTION_ERROR_MESSAGES.some((text) => message.includes(text));
  });
}

/**
 * The one way request code talks to the database: named parameters (`:name`) that TypeORM's
 * driver escapes for either dialect, transactions, and connection failures turned into
 * DatabaseUnavailableError (503).
 *
 * SQLite runs on one connection, so statements of concurrent requests would otherwise land
 * inside each other's transactions; there every statement and transaction takes a mutex.
 */
@Injectable()
export class Db {
  readonly dialect: Dialect;
  private readonly sqliteLock: AsyncMutex | null;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
    this.sqliteLock = this.dialect === 'sqlite' ? new AsyncMutex() : null;
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
    return (await this.run(sql, params, tx)).affected ?? 0;
  }

  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const body = async (): Promise<T> => {
      const runner = this.dataSource.createQueryRunner();
      try {
        await runner.connect();
        await runner.startTransaction();
        try {
          const result = await work({ runner });
          await runner.commitTransaction();
          return result;
        } catch (error) {
          if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
          throw error;
        }
      } finally {
        await runner.release();
      }
    };
    try {
      return this.sqliteLock ? await this.sqliteLock.run(body) : await body();
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

  /** A cheap round trip, for readiness checks. */
  async ping(): Promise<void> {
    await this.query('SELECT 1 AS ok');
  }

  private async run(sql: string, params: SqlParams, tx?: Tx) {
    const [text, values] = this.dataSource.driver.escapeQueryWithParameters(sql, params, {});
    const statement = async () => {
      const runner = tx?.runner ?? this.dataSource.createQueryRunner();
      try {
        return await runner.query(text, values, true);
      } finally {
        if (!tx) await runner.release();
      }
    };
    try {
      // Inside a transaction the lock is already held by it.
      return this.sqliteLock && !tx ? await this.sqliteLock.run(statement) : await statement();
    } catch (error) {
      throw this.translate(error);
    }
  }

  private translate(error: unknown): unknown {
    if (error instanceof DatabaseUnavailableError) return error;
    return isConnectionError(error) ? new DatabaseUnavailableError(error) : error;
  }
}

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
