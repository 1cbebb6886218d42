/**
 * `npm run bench:outbox`: outbound event delivery with two instances of the service on one
 * PostgreSQL database (BENCH_DATABASE_URL, default the machine's `test` database, in a fresh
 * schema), each `node dist/main.js` with the Stripe provider against the benchmark's upstream.
 *
 * Signed `customer.subscription.updated` webhooks about 200 seeded customers are sent, 16 at a
 * time, alternating between the instances; each stored change writes outbound events, which
 * both instances deliver to one consumer that verifies every delivery with the Standard Webhooks
 * library. Printed: webhooks/s taken in, outbound events written, delivered (distinct
 * webhook-ids, and any duplicates), delivery throughput (events a second, from the first event's
 * commit to the last receipt) and the delay from each event's commit (its `timestamp`) to its
 * receipt: p50, p99, max.
 *
 *   --webhooks <n>   webhooks to send (default 4000; --smoke: 300)
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';

import { parseArgs } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { killAllNow, ROOT, startHelper, startService, stopAll } from './children';
import { DEFAULT_DATABASE_URL, openBenchDatabase, seedAccounts } from './database';
import { WebhookEvents } from './fixtures';
import {
  APP_ORIGIN,
  STRIPE_SECRET_KEY,
  STRIPE_WEBHOOK_SECRET,
  SUBSCRIPTION_PRICE_ID,
  TRIAL_DAYS,
} from './shared';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const CUSTOMERS = 200;
const CONCURRENCY = 16;

const log = (message: string) => process.stderr.write(`bench:outbox ${message}\n`);

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { webhooks: { type: 'string' }, smoke: { type: 'boolean', default: false } },
    strict: true,
  });
  const webhookCount = Number(values.webhooks ?? (values.smoke ? 300 : 4000));
  log('building the service…');
  await new Promise<void>((resolve, reject) =>
    execFile('npm', ['run', '-s', 'build'], { cwd: ROOT }, (error, stdout, stderr) =>
      error ? reject(new Error(`npm run build failed:\n${stdout}${stderr}`)) : resolve(),
    ),
  );

  // The consumer: verifies every delivery, keeps when each event came.
  const verifier = new Webhook(SECRET);
  const receipts = new Map<string, { delayMs: number; at: number }>();
  let duplicates = 0;
  let refused = 0;
  const consumer = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const at = Date.now();
      try {
        const event = verifier.verify(
          Buffer.concat(chunks).toString(),
          request.headers as Record<string, string>,
        ) as {
          id: string;
          timestamp: string;
        };
        if (receipts.has(event.id)) duplicates += 1;
        else receipts.set(event.id, { delayMs: at - Date.parse(event.timestamp), at });
        response.writeHead(204).end();
      } catch {
        refused += 1;
        response.writeHead(401).end();
      }
    });
  });
  await new Promise<void>((resolve) => consumer.listen(0, '127.0.0.1', resolve));
  const consumerUrl = `http://127.0.0.1:${(consumer.address() as AddressInfo).port}/events`;

  const [upstream, database] = await Promise.all([
    startHelper('upstream.ts'),
    openBenchDatabase(process.env.BENCH_DATABASE_URL || DEFAULT_DATABASE_URL),
  ]);
  if (database.kind !== 'postgres') throw new Error('bench:outbox needs PostgreSQL (two instances share it)');
  try {
    const customers = await seedAccounts(database, CUSTOMERS, 'outbox');
    const env = {
      DATABASE_URL: database.serviceUrl,
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY,
      STRIPE_WEBHOOK_SECRET,
      STRIPE_API_URL: upstream.url,
      SUBSCRIPTION_PRICE_ID,
      TRIAL_DAYS: String(TRIAL_DAYS),
      ALLOWED_REDIRECT_ORIGINS: APP_ORIGIN,
      RATE_LIMIT_PER_MINUTE: '10000000',
      LOG_LEVEL: 'warn',
      EVENT_ENDPOINTS: `${consumerUrl}|${SECRET}`,
    };
    const instances = [await startService(env), await startService(env)];
    log(`two instances up; sending ${webhookCount} webhooks about ${CUSTOMERS} customers…`);

    const requests = new WebhookEvents(customers).build(webhookCount);
    let next = 0;
    let failed = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, worker) => {
        while (next < requests.length) {
          const request = requests[next++];
          const instance = instances[(next + worker) % 2];
          const response = await fetch(`${instance.url}/api/webhooks/stripe`, {
            method: 'POST',
            headers: request.headers,
            body: request.body,
          });
          await response.arrayBuffer();
          if (response.status !== 200) failed += 1;
        }
      }),
    );
    const intakeS = (performance.now() - started) / 1000;

    const written = async () =>
      Number((await database.dataSource.query(`SELECT COUNT(*) AS n FROM outbound_events`))[0].n as string);
    const total = await written();
    const deadline = Date.now() + 120_000;
    while (receipts.size < total && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));

    const firstCommit = Number(
      (
        await database.dataSource.query(
          `SELECT EXTRACT(EPOCH FROM MIN(created_at)) * 1000 AS t FROM outbound_events`,
        )
      )[0].t,
    );
    const lastReceipt = Math.max(...[...receipts.values()].map((receipt) => receipt.at));
    const delays = [...receipts.values()].map((receipt) => receipt.delayMs).sort((a, b) => a - b);
    const results = {
      webhooksSent: webhookCount,
      webhooksRefused: failed,
      webhooksPerSecond: Math.round(webhookCount / intakeS),
      outboundEventsWritten: total,
      delivered: receipts.size,
      duplicates,
      refusedSignatures: refused,
      deliveriesPerSecond: Math.round(receipts.size / ((lastReceipt - firstCommit) / 1000)),
      delayMs: { p50: percentile(delays, 50), p99: percentile(delays, 99), max: delays.at(-1) },
    };
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    if (receipts.size !== total || refused > 0 || failed > 0) process.exitCode = 1;
  } finally {
    await stopAll();
    await database.drop();
    consumer.close();
  }
}

process.on('exit', killAllNow);
main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exitCode = 1;
});
