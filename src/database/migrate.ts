import '../node-version';
import 'reflect-metadata';
import { loadConfig } from '../config/load-config';
import { createDataSource, runMigrations } from './data-source';

/** `npm run migration:run`: applies pending migrations to DATABASE_URL. */
async function main(): Promise<void> {
  const dataSource = await createDataSource(loadConfig(process.env).database).initialize();
  try {
    const before = await dataSource.showMigrations();
    await runMigrations(dataSource);
    process.stdout.write(`${JSON.stringify({ applied: before, database: dataSource.options.type })}\n`);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
