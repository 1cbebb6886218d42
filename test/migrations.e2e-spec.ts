import { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '../src/database/data-source';
import { MIGRATIONS } from '../src/database/entities';
import { createTestDatabase, TestDatabase } from './support/database';
import { loadConfig } from '../src/config/load-config';

describe('Migrations', () => {
  let database: TestDatabase;
  let sut: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase({ shared: true });
    sut = await createDataSource(loadConfig({ DATABASE_URL: database.url }).database).initialize();
  });

  afterAll(async () => {
    await sut.destroy();
    await database.drop();
  });

  it('should apply every migration on an empty database, then have none pending', async () => {
    await runMigrations(sut);

    const applied = await sut.query('SELECT name FROM migrations ORDER BY id');
    expect(applied.map((row: { name: string }) => row.name)).toEqual(
      MIGRATIONS.map((migration) => migration.name),
    );
    expect(await sut.showMigrations()).toBe(false);
  });

  it('should leave the schema exactly as the entities describe it (no drift)', async () => {
    const pending = await sut.driver.createSchemaBuilder().log();

    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('should undo every migration and apply them again', async () => {
    for (let i = 0; i < MIGRATIONS.length; i++) await sut.undoLastMigration({ transaction: 'each' });
    const runner = sut.createQueryRunner();
    const tables = await runner.getTables(['accounts', 'customers', 'idempotency_keys']);
    await runner.release();
    expect(tables).toHaveLength(0);

    await runMigrations(sut);

    expect((await sut.driver.createSchemaBuilder().log()).upQueries).toHaveLength(0);
  });

  it('should be safe to run again (nothing to do)', async () => {
    await expect(runMigrations(sut)).resolves.toBeUndefined();
    expect(await sut.showMigrations()).toBe(false);
  });
});
