import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { DatabaseConfig } from '../config/app-config';
import { createDataSource, postgresPoolConfig, runMigrations } from './data-source';
import { Database } from './database';
import { createPostgresKysely, createSqliteKysely, SqliteHandle } from './kysely';

/** Start fails fast and clearly when the database is not there; at run time pools reconnect. */
const START_ATTEMPTS = 3;
const START_RETRY_DELAY_MS = 500;

export interface OpenDatabase {
  dataSource: DataSource;
  database: Database;
  close(): Promise<void>;
}

/**
 * Opens the database at start: TypeORM's data source applies pending migrations (and keeps
 * SQLite's one connection), then the service's statements get their Kysely instance.
 */
export async function openDatabase(config: DatabaseConfig): Promise<OpenDatabase> {
  let sqlite: SqliteHandle | undefined;
  const dataSource = createDataSource(config, { onSqliteOpen: (handle) => (sqlite = handle) });
  for (let attempt = 1; ; attempt++) {
    try {
      await dataSource.initialize();
      break;
    } catch (error) {
      if (attempt >= START_ATTEMPTS) throw error;
      await sleep(START_RETRY_DELAY_MS);
    }
  }
  await runMigrations(dataSource);
  let database: Database;
  if (config.kind === 'postgres') {
    const { kysely, pool } = createPostgresKysely(
      { ...postgresPoolConfig(), connectionString: config.url },
      { preparedStatements: config.preparedStatements },
    );
    database = new Database(kysely, 'postgres', pool);
  } else {
    database = new Database(createSqliteKysely(sqlite!), 'sqlite');
  }
  return {
    dataSource,
    database,
    async close() {
      await database.close();
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
