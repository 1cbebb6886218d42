import { once } from 'node:events';
import { Agent } from 'node:http';
import { connect, Socket } from 'node:net';
import { FakeStripe } from './fake-stripe';
import { ServiceProcess, startServiceProcess } from './service-process';
import { APP_ORIGIN, SUBSCRIPTION_PRICE } from './test-app';
import { adminCli, RawResponse, rawRequest, sleep, stopProcess, waitFor } from './process-helpers';

// One SIGTERM with a request in flight, as the shutdown tests (SQLite and PostgreSQL) run it.

export const SHUTDOWN_STRIPE_KEY = 'sk_test_shutdownSpecKey';
export const SHUTDOWN_WEBHOOK_SECRET = 'whsec_shutdownSpecSecret';

export interface ShutdownScenarioOptions {
  /** The DATABASE_URL of the service (and of the admin CLI, unless cliDatabaseUrl is given). */
  databaseUrl: string;
  /** Where the CLI creates the account (the database itself when the service goes through a proxy). */
  cliDatabaseUrl?: string;
  /** How long the fake Stripe waits before each answer. */
  fakeDelayMs: number;
  graceMs: number;
  /** The slow request goes through a keep-alive agent that keeps its connection afterwards. */
  keepAliveClient: boolean;
  env?: Record<string, string>;
  /** Runs just before SIGTERM is sent, with the slow request in flight. */
  beforeSigterm?: (scenario: ShutdownScenario) => Promise<void> | void;
  /** Called when the slow request has answered, before the process has exited. */
  afterInFlightResponse?: (scenario: ShutdownScenario) => Promise<void> | void;
}

export interface Outcome<T> {
  value?: T;
  error?: NodeJS.ErrnoException;
  /** Date.now() when the outcome was known. */
  at: number;
}

export interface ShutdownScenario {
  fake: FakeStripe;
  service: ServiceProcess;
  agent?: Agent;
  accountId: string;
  apiKey: string;
  sigtermAt: number;
  /** The POST /api/subscriptions/sessions that was waiting on the provider at SIGTERM. */
  inFlight: Outcome<RawResponse>;
  /** A request on a new connection, sent once the service has logged "shutting down". */
  afterSigterm: Outcome<RawResponse> & { sentAt: number };
  /** A keep-alive connection that was idle at SIGTERM: when the service closed it. */
  idleConnection: { closedAt?: number; bytesAfterSigterm: number };
  exit: Outcome<number | null>;
  output: string;
}

async function outcome<T>(promise: Promise<T>): Promise<Outcome<T>> {
  try {
    const value = await promise;
    return { value, at: Date.now() };
  } catch (error) {
    return { error: error as NodeJS.ErrnoException, at: Date.now() };
  }
}

/** A raw keep-alive connection that has had one request answered and now sits idle. */
async function idleKeepAliveConnection(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  socket.write(`GET /health HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: keep-alive\r\n\r\n`);
  let received = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const headerEnd = received.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(received);
      if (headerEnd >= 0 && length && received.length >= headerEnd + 4 + Number(length[1])) {
        socket.off('data', onData);
        resolve();
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
  if (!received.startsWith('HTTP/1.1 200')) throw new Error(`health check failed: ${received}`);
  if (/connection: close/i.test(received)) throw new Error('the service did not keep the connection alive');
  return socket;
}

/**
 * Starts a fake Stripe (answering after `fakeDelayMs`) and the service as a process, creates an
 * account with the admin CLI, puts a POST /api/subscriptions/sessions in flight, and sends
 * SIGTERM as soon as the fake has received that request's first call. Records what every client
 * saw and how the process ended; never throws once the process runs (see `stopScenario`).
 */
export async function runShutdownScenario(
  options: ShutdownScenarioOptions,
  started: (parts: { fake: FakeStripe; service?: ServiceProcess }) => void,
): Promise<ShutdownScenario> {
  const fake = await new FakeStripe().start();
  started({ fake });
  fake.addPrice({ id: SUBSCRIPTION_PRICE, type: 'recurring' });
  const env: Record<string, string> = {
    DATABASE_URL: options.databaseUrl,
    PAYMENT_PROVIDER: 'stripe',
    STRIPE_SECRET_KEY: SHUTDOWN_STRIPE_KEY,
    STRIPE_WEBHOOK_SECRET: SHUTDOWN_WEBHOOK_SECRET,
    STRIPE_API_URL: fake.url,
    STRIPE_TIMEOUT_MS: '20000',
    STRIPE_MAX_NETWORK_RETRIES: '0',
    SUBSCRIPTION_PRICE_ID: SUBSCRIPTION_PRICE,
    ALLOWED_REDIRECT_ORIGINS: APP_ORIGIN,
    SHUTDOWN_GRACE_MS: String(options.graceMs),
    ...options.env,
  };
  const cliEnv = { ...env, DATABASE_URL: options.cliDatabaseUrl ?? options.databaseUrl };
  const account = await adminCli(['accounts:create', '--name', 'Shutdown'], cliEnv);
  const accountId = String(account.result?.accountId);
  const key = await adminCli(['api-keys:create', '--account', accountId], cliEnv);
  if (key.code !== 0) throw new Error(`admin CLI failed: ${account.stderr}${key.stderr}`);
  const apiKey = String(key.result!.apiKey);

  const service = await startServiceProcess(env);
  started({ fake, service });
  const agent = options.keepAliveClient ? new Agent({ keepAlive: true, maxSockets: 1 }) : undefined;

  // The account is known and the database in use before the shutdown.
  const me = await rawRequest(`${service.url}/api/subscriptions/me`, {
    headers: { 'x-api-key': apiKey },
    agent,
  });
  if (me.status !== 200) throw new Error(`GET /api/subscriptions/me answered ${me.status}: ${me.body}`);
  const idle = await idleKeepAliveConnection(service.url);

  fake.delayMs = options.fakeDelayMs;
  const callsBefore = fake.requestCount;
  const inFlight = outcome(
    rawRequest(`${service.url}/api/subscriptions/sessions`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey },
      body: JSON.stringify({ successUrl: `${APP_ORIGIN}/welcome` }),
      agent,
    }),
  );
  await waitFor(() => fake.requestCount > callsBefore, 'the in-flight request to reach the fake Stripe');

  const scenario = {
    fake,
    service,
    agent,
    accountId,
    apiKey,
    idleConnection: { bytesAfterSigterm: 0 },
  } as ShutdownScenario;
  await options.beforeSigterm?.(scenario);

  idle.on('data', (chunk: Buffer) => (scenario.idleConnection.bytesAfterSigterm += chunk.length));
  idle.on('error', () => undefined);
  idle.on('close', () => (scenario.idleConnection.closedAt = Date.now()));
  const exited = once(service.child, 'exit') as Promise<[number | null]>;
  scenario.sigtermAt = Date.now();
  service.child.kill('SIGTERM');

  await waitFor(() => service.output().includes('shutting down'), 'the "shutting down" log line');
  // Give the server a moment to stop listening (app.close() runs the destroy hooks first).
  await sleep(100);
  const sentAt = Date.now();
  scenario.afterSigterm = { ...(await outcome(rawRequest(`${service.url}/health`))), sentAt };

  scenario.inFlight = await inFlight;
  await options.afterInFlightResponse?.(scenario);
  let timer: NodeJS.Timeout | undefined;
  const exitCode = await outcome(
    Promise.race([
      exited.then(([code]) => code),
      new Promise<never>((_resolve, reject) => {
        const limit = options.graceMs + 10_000;
        timer = setTimeout(() => reject(new Error(`no exit ${limit} ms after SIGTERM`)), limit);
      }),
    ]),
  );
  clearTimeout(timer);
  scenario.exit = exitCode;
  scenario.output = service.output();
  idle.destroy();
  agent?.destroy();
  return scenario;
}

/** afterAll: whatever happened, no process, server or connection is left behind. */
export async function stopScenario(parts: { fake?: FakeStripe; service?: ServiceProcess; agent?: Agent }) {
  parts.agent?.destroy();
  if (parts.service) await stopProcess(parts.service.child, 'SIGKILL', 5_000);
  if (parts.fake) {
    // The fake answers after a timer of its own even when its client has gone: wait it out, or
    // it keeps Jest waiting after the run.
    const lastCall = Math.max(0, ...parts.fake.requests.map((request) => request.at));
    const pending = lastCall + parts.fake.delayMs + 50 - Date.now();
    if (pending > 0) await sleep(Math.min(pending, 10_000));
    await parts.fake.stop();
  }
}
