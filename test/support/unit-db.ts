import { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '../../src/database/data-source';
import { Db } from '../../src/database/db.service';

/** A migrated in-memory SQLite database for unit tests of services and repositories. */
export async function createUnitDb(): Promise<{
  db: Db;
  dataSource: DataSource;
  close: () => Promise<void>;
}> {
  const dataSource = await createDataSource({ kind: 'sqlite', path: ':memory:' }).initialize();
  await runMigrations(dataSource);
  return { db: new Db(dataSource), dataSource, close: () => dataSource.destroy() };
}
