import { Agent } from 'node:http';
import { createTestDatabase, TestDatabase } from './support/database';
import { FakeStripe } from './support/fake-stripe';
import { LogLine, parseLogLines, rawRequest, RawResponse, sleep } from './support/process-helpers';
import { ServiceProcess, startServiceProcess } from './support/service-process';
import { signedEvent, SUBSCRIPTION_PRICE, WEBHOOK_SECRET } from './support/test-app';

// Anyone can post to the webhook endpoint. Deliveries that fail verification are limited per IP
// and logged in summary, so that a flood of them neither fills the log nor is answered forever;
// deliveries that pass verification are never limited: the provider sends them in bursts.

const LIMIT = 20;
const DELIVERIES = 3_000;
const CONCURRENCY = 16;
/** At most: the first refusal and its request line, a summary, and a little room for startup noise. */
const MAX_FLOOD_LINES = 6;

describe('Refused webhook deliveries (limited per IP, logged in summary)', () => {
  let fake: FakeStripe;
  let database: TestDatabase;
  let service: ServiceProcess;
  const statuses = new Map<number, number>();
  let limited: RawResponse | undefined;
  let valid: RawResponse;
  let floodOutput = '';
  let output = '';

  beforeAll(async () => {
    fake = await new FakeStripe().start();
    fake.addPrice({ id: SUBSCRIPTION_PRICE, type: 'recurring' });
    database = await createTestDatabase({ shared: true });
    service = await startServiceProcess({
      DATABASE_URL: database.url,
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_webhookrefusals',
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_URL: fake.url,
      SUBSCRIPTION_PRICE_ID: SUBSCRIPTION_PRICE,
      RATE_LIMIT_PER_MINUTE: String(LIMIT),
      LOG_LEVEL: 'info',
    });
    await sleep(200);
    const before = service.output().length;

    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const forged = signedEvent(
      'customer.subscription.updated',
      { id: 'sub_forged' },
      { secret: 'whsec_wrong' },
    );
    let sent = 0;
    const deliver = async () => {
      while (sent < DELIVERIES) {
        const index = sent++;
        // Half without a signature, half signed with another secret: both are refusals.
        const headers: Record<string, string> =
          index % 2 === 0 ? {} : { 'stripe-signature': forged.signature };
        const response = await rawRequest(`${service.url}/api/webhooks/stripe`, {
          method: 'POST',
          headers,
          body: forged.payload,
          agent,
        });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status === 429) limited ??= response;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, deliver));

    const event = signedEvent('customer.created', { id: 'cus_after_the_flood', object: 'customer' });
    valid = await rawRequest(`${service.url}/api/webhooks/stripe`, {
      method: 'POST',
      headers: { 'stripe-signature': event.signature },
      body: event.payload,
      agent,
    });
    agent.destroy();
    // The request lines of the last deliveries may still be on their way out.
    await sleep(300);
    floodOutput = service.output().slice(before);
    await service.stop();
    output = service.output().slice(before);
  }, 120_000);

  afterAll(async () => {
    if (service?.child.exitCode === null) await service.stop('SIGKILL');
    await fake?.stop();
    await database?.drop();
  });

  it('should refuse the first deliveries with 400, and the rest of the minute’s with 429', () => {
    expect([...statuses.keys()].sort()).toEqual([400, 429]);
    expect(statuses.get(400)).toBe(LIMIT);
    expect(statuses.get(429)).toBe(DELIVERIES - LIMIT);
  });

  it('should answer 429 in the {error} shape with Retry-After', () => {
    expect(JSON.parse(limited!.body)).toEqual({ error: 'Too many requests; retry later' });
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited!.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('should still accept a validly signed event from the same IP right after', () => {
    expect(valid.status).toBe(200);
    expect(JSON.parse(valid.body)).toEqual({ received: true, outcome: 'ignored' });
  });

  it('should write a bounded number of log lines for thousands of refusals', () => {
    const lines = parseLogLines(floodOutput) as LogLine[];
    const aboutTheFlood = lines.filter(
      (line) =>
        line.req?.url === '/api/webhooks/stripe' ||
        (typeof line.msg === 'string' && line.msg.includes('webhook')),
    );
    // The accepted event's own request line is among them.
    expect(aboutTheFlood.length).toBeLessThanOrEqual(MAX_FLOOD_LINES);
    expect(lines.length).toBeLessThanOrEqual(MAX_FLOOD_LINES + 2);
  });

  it('should log the first refusal with its reason, and sum up the others in one line', () => {
    const lines = parseLogLines(output) as LogLine[];
    const refused = lines.filter((line) => line.msg === 'webhook refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ level: 40, reason: expect.any(String), ip: '127.0.0.1' });

    const summaries = lines.filter((line) => line.msg === 'webhooks refused since the last summary');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({
      level: 40,
      ip: '127.0.0.1',
      refused: DELIVERIES,
      limited: DELIVERIES - LIMIT,
    });
  });
});
