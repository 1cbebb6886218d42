/**
 * What the benchmark's two plain servers (baseline.ts, glue.ts) share: the `stripe` SDK with the
 * service's settings, JSON bodies and answers in each endpoint's shape, and the start-up that
 * tells run.ts where they listen (over the IPC channel; they exit when it closes).
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { STRIPE_API_VERSION } from '../src/payments/stripe/stripe-clients.factory';
import { ChildMessage, STRIPE_SECRET_KEY } from './shared';

const MAX_BODY_BYTES = 100 * 1024;

const send = (message: ChildMessage) => process.send?.(message);

/** The service's defaults (src/config/load-config.ts) unless the orchestrator passes others. */
export function stripeClient(): Stripe {
  const endpoint = new URL(process.env.STRIPE_API_URL ?? 'http://127.0.0.1:12111');
  return new Stripe(STRIPE_SECRET_KEY, {
    // The settings of src/payments/stripe/stripe-clients.factory.ts, one by one.
    apiVersion: STRIPE_API_VERSION,
    timeout: Number(process.env.STRIPE_TIMEOUT_MS ?? 10_000),
    maxNetworkRetries: Number(process.env.STRIPE_MAX_NETWORK_RETRIES ?? 2),
    telemetry: false,
    appInfo: { name: 'billing-sessions-service' },
    protocol: endpoint.protocol === 'http:' ? 'http' : 'https',
    host: endpoint.hostname,
    port: Number(endpoint.port || (endpoint.protocol === 'http:' ? 80 : 443)),
  });
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'Invalid JSON body');
  }
}

export function text(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw new HttpError(400, `${field} is required`);
  return value;
}

export function reply(response: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

const BILLING_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  503: 'DATABASE_UNAVAILABLE',
};

/** Errors in each endpoint's own shape, like the service's. */
export function replyError(response: ServerResponse, path: string, status: number, message: string): void {
  if (path === '/api/billing/checkout') {
    const code = BILLING_CODES[status] ?? 'PAYMENT_PROVIDER_ERROR';
    reply(response, status, { success: false, error: { code, message } });
  } else {
    reply(response, status, { error: message });
  }
}

/**
 * Listens on PORT (127.0.0.1) once `ready` has passed, tells run.ts where, and exits when run.ts
 * goes; a failure to start is reported to run.ts as well.
 */
export function serve(
  name: string,
  handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
  ready: () => Promise<void> = () => Promise.resolve(),
): void {
  const start = async () => {
    if (!process.send) throw new Error(`bench/${name} is started by bench/run.ts (it needs an IPC channel)`);
    await ready();
    const server = createServer((request, response) => void handle(request, response));
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', resolve));
    process.on('disconnect', () => process.exit(0));
    send({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  };
  start().catch((error: unknown) => {
    send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  });
}
