import { postgresUrl, withClient } from './database';

/** With TEST_DATABASE_URL set, the e2e run needs that server: say so at once, not in every file. */
export default async function globalSetup(): Promise<void> {
  const url = postgresUrl();
  if (!url) {
    if (process.env.CI === 'true' && process.env.REQUIRE_POSTGRES === 'true') {
      throw new Error('REQUIRE_POSTGRES=true but TEST_DATABASE_URL is not set');
    }
    return;
  }
  try {
    await withClient(url, (client) => client.query('SELECT 1'));
  } catch (error) {
    throw new Error(`TEST_DATABASE_URL is set but PostgreSQL does not answer: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
