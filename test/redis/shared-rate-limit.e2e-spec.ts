import { createTestDatabase, TestDatabase } from '../support/database';
import { createAccount, startTestApp, TestApp } from '../support/test-app';

const LIMIT = 5;

// Runs when TEST_REDIS_URL is set (the PostgreSQL pass of CI): the limit holds across instances.
describe('Rate limits shared through Redis (REDIS_URL)', () => {
  let database: TestDatabase;
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase({ shared: true });
    const env = { RATE_LIMIT_PER_MINUTE: String(LIMIT), REDIS_URL: process.env.TEST_REDIS_URL };
    first = await startTestApp(env, { database });
    second = await startTestApp(env, { database });
  });

  afterAll(async () => {
    await first.close();
    await second.close();
    await database.drop();
  });

  it('should count one credential’s requests on both instances together', async () => {
    const { apiKey } = await createAccount(first);
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 1; i++) {
      const app = i % 2 === 0 ? first : second;
      statuses.push((await app.http().get('/api/subscriptions/me').set('x-api-key', apiKey)).status);
    }

    expect(statuses.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(200));
    expect(statuses[LIMIT]).toBe(429);
  });

  it('should let requests through when Redis does not answer, rather than fail them', async () => {
    const broken = await startTestApp(
      { RATE_LIMIT_PER_MINUTE: '1', REDIS_URL: 'redis://127.0.0.1:1' },
      { database },
    );
    try {
      const { apiKey } = await createAccount(broken);
      for (let i = 0; i < 3; i++)
        await broken.http().get('/api/subscriptions/me').set('x-api-key', apiKey).expect(200);
    } finally {
      await broken.close();
    }
  });
});
