import { sql } from 'kysely';
import { TestApp } from './test-app';

/** Makes every insert into the table fail, as a full disk would, until stopFailingInserts. */
export async function failInsertsInto(sut: TestApp, table: string): Promise<void> {
  if (sut.database.kind === 'postgres') {
    await sut.db.changes(sql`CREATE FUNCTION fail_insert() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = '53100'; END
       $$ LANGUAGE plpgsql`);
    await sut.db.changes(
      sql`CREATE TRIGGER fail_insert BEFORE INSERT ON ${sql.id(table)} EXECUTE FUNCTION fail_insert()`,
    );
  } else {
    await sut.db.changes(
      sql`CREATE TRIGGER fail_insert BEFORE INSERT ON ${sql.id(table)} BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`,
    );
  }
}

export async function stopFailingInserts(sut: TestApp, table: string): Promise<void> {
  await sut.db.changes(
    sut.database.kind === 'postgres'
      ? sql`DROP TRIGGER fail_insert ON ${sql.id(table)}`
      : sql`DROP TRIGGER fail_insert`,
  );
  if (sut.database.kind === 'postgres') await sut.db.changes(sql`DROP FUNCTION fail_insert()`);
}
