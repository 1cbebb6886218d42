import { ServiceProcess, startServiceProcess } from './support/service-process';
import { LogLine, parseLogLines, randomHex, waitFor } from './support/process-helpers';

// What an operator reads first: one line at start that says where the service is, what it
// talks to and where its docs are. JSON lines when stdout is no terminal (as here), pino-pretty's
// lines with LOG_FORMAT=pretty, redacted alike.

describe('The start-up line', () => {
  let service: ServiceProcess | undefined;

  afterEach(async () => {
    await service?.stop();
    service = undefined;
  });

  it('should give the URL, the listening address, the provider, the database and the docs, as JSON', async () => {
    const stripeKey = `sk_live_StartupLine${randomHex(12)}`;
    service = await startServiceProcess({
      DATABASE_URL: 'sqlite::memory:',
      PUBLIC_URL: 'https://billing.example.com/',
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: stripeKey,
      STRIPE_WEBHOOK_SECRET: `whsec_${randomHex(12)}`,
      STRIPE_API_URL: 'http://127.0.0.1:9',
      SUBSCRIPTION_PRICE_ID: 'price_startup_line',
    });
    const port = new URL(service.url).port;
    await waitFor(() => service!.output().includes('"context":"Startup"'), 'the start-up line');

    const lines = parseLogLines(service.output());
    const startup = (lines as LogLine[]).filter((line) => line.context === 'Startup');

    expect(lines.filter((line) => typeof line === 'string')).toEqual([]);
    expect(startup).toHaveLength(1);
    expect(startup[0]).toMatchObject({
      level: 30,
      url: 'https://billing.example.com',
      listening: `127.0.0.1:${port}`,
      provider: 'Stripe (live mode key)',
      database: 'SQLite in memory',
      docs: 'https://billing.example.com/docs',
      msg:
        `Billing sessions service at https://billing.example.com (listening on 127.0.0.1:${port}); ` +
        'provider: Stripe (live mode key); database: SQLite in memory; API docs: https://billing.example.com/docs',
    });
    expect(service.output()).not.toContain(stripeKey.slice('sk_live_'.length));
  });

  it('should print readable lines with LOG_FORMAT=pretty, still redacted', async () => {
    service = await startServiceProcess({ DATABASE_URL: 'sqlite::memory:', LOG_FORMAT: 'pretty' });
    const port = new URL(service.url).port;
    const pageId = `cs_sbx_${randomHex(16)}`;
    await fetch(`${service.url}/sandbox/checkout/${pageId}?token=${randomHex(8)}`);
    await waitFor(() => service!.output().includes('/sandbox/checkout/[redacted]'), 'the request line');

    const lines = parseLogLines(service.output());

    expect(lines.filter((line) => typeof line !== 'string')).toEqual([]);
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          String.raw`^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[Startup\] Billing sessions service at http://localhost:${port} ` +
            String.raw`\(listening on 127\.0\.0\.1:${port}\); provider: sandbox; database: SQLite in memory; ` +
            String.raw`API docs: http://localhost:${port}/docs`,
        ),
      ),
    );
    expect(service.output()).not.toContain(pageId);
  });

  it('should refuse a LOG_FORMAT it does not know', async () => {
    await expect(
      startServiceProcess(
        { DATABASE_URL: 'sqlite::memory:', LOG_FORMAT: 'yaml' },
        { readyTimeoutMs: 15_000 },
      ),
    ).rejects.toThrow(/LOG_FORMAT must be json or pretty \(got "yaml"\)/);
  });
});
