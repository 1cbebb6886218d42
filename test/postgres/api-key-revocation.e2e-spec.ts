import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { postgresUrl, withClient } from '../support/database';
import { createAccount, startTestApp, TestAccount, TestApp } from '../support/test-app';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/**
 * On PostgreSQL API keys are cached (for up to API_KEY_CACHE_TTL_MS, here a minute), and a
 * revocation made anywhere reaches every instance through LISTEN/NOTIFY at once.
 */
describe('API key revocation with the key cache (PostgreSQL)', () => {
  let sut: TestApp;
  let account: TestAccount;

  beforeAll(async () => {
    sut = await startTestApp({ API_KEY_CACHE_TTL_MS: '60000' });
  });

  afterAll(() => sut.close());

  beforeEach(async () => {
    account = await createAccount(sut);
  });

  const me = () => sut.http().get('/api/subscriptions/me').set('x-api-key', account.apiKey);

  const statusWithin = async (ms: number, expected: number) => {
    const deadline = Date.now() + ms;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await me()).status;
      if (status === expected) return status;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return status;
  };

  it('should refuse a cached key at once when another process revokes it', async () => {
    await me().expect(200);

    await run(
      process.execPath,
      ['-r', '@swc-node/register', 'src/cli/main.ts', 'api-keys:revoke', '--id', account.apiKeyId],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH, DATABASE_URL: sut.database.url },
      },
    );

    expect(await statusWithin(1_000, 401)).toBe(401);
  });

  it('should stop trusting the cache while the revocation listener is disconnected', async () => {
    await me().expect(200);
    await withClient(postgresUrl()!, (client) =>
      client.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN api_key_revoked'`,
      ),
    );
    // A revocation nobody announces (as if the notification were lost while disconnected).
    await sut.db.execute('UPDATE api_keys SET revoked_at = :now WHERE id = :id', {
      id: account.apiKeyId,
      now: new Date(),
    });

    expect(await statusWithin(1_000, 401)).toBe(401);
  });
});
