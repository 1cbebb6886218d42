import { QueryFailedError } from 'typeorm';
import { DatabaseUnavailableError } from '../common/errors/domain-errors';
import { isConnectionError, unavailableReason } from './database-errors';

/** A driver error as TypeORM hands it on: wrapped, the driver's code copied onto the wrapper. */
const failedQuery = (code: string, message = 'failed') =>
  new QueryFailedError('INSERT …', [], Object.assign(new Error(message), { code }));

describe(unavailableReason.name, () => {
  it.each([
    ['SQLITE_FULL', 'full'],
    ['SQLITE_READONLY', 'read-only'],
    ['SQLITE_READONLY_DBMOVED', 'read-only'],
    ['SQLITE_READONLY_ROLLBACK', 'read-only'],
    ['SQLITE_IOERR', 'io-error'],
    ['SQLITE_IOERR_WRITE', 'io-error'],
    ['SQLITE_IOERR_FSYNC', 'io-error'],
    ['SQLITE_IOERR_NOMEM', 'out-of-resources'],
    ['SQLITE_NOMEM', 'out-of-resources'],
    ['SQLITE_CANTOPEN', 'io-error'],
    ['53100', 'full'],
    ['53000', 'out-of-resources'],
    ['53200', 'out-of-resources'],
    ['25006', 'read-only'],
    ['58030', 'io-error'],
    ['ECONNREFUSED', 'connection'],
    ['57014', 'connection'],
    ['SQLITE_BUSY', 'connection'],
  ])('should take %s for storage that is unavailable for now (%s)', (code, reason) => {
    expect(unavailableReason(failedQuery(code))).toBe(reason);
    expect(unavailableReason(Object.assign(new Error('raw'), { code }))).toBe(reason);
  });

  it.each([
    ['SQLITE_CORRUPT', 'corruption does not clear by waiting'],
    ['SQLITE_NOTADB', 'neither does a file that is not a database'],
    ['XX001', 'data_corrupted'],
    ['SQLITE_CONSTRAINT_UNIQUE', 'a conflict is the caller’s or the code’s'],
    ['23505', 'unique_violation'],
    ['42P01', 'undefined_table: a bug'],
    ['SQLITE_READONLYISH', 'not an extended code of SQLITE_READONLY'],
  ])('should not take %s for unavailable storage (%s)', (code) => {
    expect(unavailableReason(failedQuery(code))).toBeNull();
  });

  it('should find a connection failure by its message when it has no code', () => {
    expect(unavailableReason(new Error('Connection terminated unexpectedly'))).toBe('connection');
    expect(unavailableReason(new Error('something else'))).toBeNull();
    expect(unavailableReason(null)).toBeNull();
    expect(unavailableReason('SQLITE_FULL')).toBeNull();
  });

  it('should keep the reason of an error already translated', () => {
    expect(unavailableReason(new DatabaseUnavailableError(new Error('x'), 'read-only'))).toBe('read-only');
  });
});

describe(isConnectionError.name, () => {
  it('should hold for a lost connection and not for storage that refuses writes', () => {
    expect(isConnectionError(failedQuery('08006'))).toBe(true);
    expect(isConnectionError(new DatabaseUnavailableError(failedQuery('08006')))).toBe(true);
    expect(isConnectionError(failedQuery('25006'))).toBe(false);
    expect(isConnectionError(new DatabaseUnavailableError(failedQuery('53100'), 'full'))).toBe(false);
  });
});
