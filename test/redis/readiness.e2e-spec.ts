import { TcpProxy } from '../postgres/tcp-proxy';
import { startTestApp, TestApp } from '../support/test-app';

// Runs when TEST_REDIS_URL is set: GET /health follows the shared rate-limit store as it goes
// away and comes back (through a proxy, so that the Redis other suites share stays up).
describe('GET /health with REDIS_URL', () => {
  let proxy: TcpProxy;
  let sut: TestApp;

  beforeAll(async () => {
    const redis = new URL(process.env.TEST_REDIS_URL!);
    proxy = await new TcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) }).start();
    sut = await startTestApp({ REDIS_URL: proxy.proxiedUrl(redis.toString()) });
  });

  afterAll(async () => {
    await sut?.close();
    await proxy?.stop();
  });

  const health = async () => sut.http().get('/health');

  it('should answer 200 with redis up, then 503 naming redis while it is gone, then 200 again', async () => {
    const up = await health();
    expect(up.status).toBe(200);
    expect(up.body.info).toMatchObject({ database: { status: 'up' }, redis: { status: 'up' } });

    await proxy.cut('stopped');
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.body.error).toEqual({ redis: { status: 'down', message: 'Redis does not answer' } });
    expect(down.body.info).toMatchObject({ database: { status: 'up' } });

    await proxy.restore();
    let status = 0;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && status !== 200) {
      status = (await health()).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(200);
  });
});
