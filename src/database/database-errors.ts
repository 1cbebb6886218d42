import { DatabaseUnavailableError, DatabaseUnavailableReason } from '../common/errors/domain-errors';

/** Failures of the connection itself: the server gone, a timeout, a lock waited on too long. */
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

/** A unique index refused the row (PostgreSQL 23505; SQLite's unique and primary-key constraints). */
export function isUniqueViolation(error: unknown): boolean {
  const candidates = [error, (error as { driverError?: unknown } | null)?.driverError];
  return candidates.some((candidate) => {
    const code = (candidate as { code?: unknown } | null)?.code;
    return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  });
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
