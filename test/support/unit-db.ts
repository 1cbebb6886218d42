import { DataSource } from 'typeorm';
import { Database } from '../../src/database/database';
import { openDatabase } from '../../src/database/open-database';

/** A migrated in-memory SQLite database for unit tests of services and repositories. */
export async function createUnitDb(): Promise<{
  db: Database;
  dataSource: DataSource;
  close: () => Promise<void>;
}> {
  const open = await openDatabase({ kind: 'sqlite', path: ':memory:' });
  return { db: open.database, dataSource: open.dataSource, close: () => open.close() };
}
