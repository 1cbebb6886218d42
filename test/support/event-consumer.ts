import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedEvent {
  webhookId: string;
  id: string;
  type: string;
  accountId: string;
  sequence: number;
  mode: string;
  timestamp: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the event's data, read by tests as they like
  data: Record<string, any>;
  receivedAt: number;
}

/** What the consumer answers: 2xx, a failure status, or nothing at all (it hangs). */
export type ConsumerBehaviour = 'ok' | 'down' | 'hang';

/**
 * A service that consumes outbound events as a real one would: it verifies each delivery with the
 * Standard Webhooks library (a bad signature is refused with 401 and counted) and keeps what came.
 */
export class EventConsumer {
  readonly received: ReceivedEvent[] = [];
  refused = 0;
  attempts = 0;
  behaviour: ConsumerBehaviour = 'ok';
  private readonly hanging: ServerResponse[] = [];
  private server?: Server;
  private readonly webhook: Webhook;
  private waiters: Array<() => void> = [];

  constructor(readonly secret: string) {
    this.webhook = new Webhook(secret);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/events`;
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const response of this.hanging.splice(0)) response.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** The distinct events received (by webhook-id), in the order they first came. */
  distinct(): ReceivedEvent[] {
    const seen = new Set<string>();
    return this.received.filter((event) => !seen.has(event.webhookId) && seen.add(event.webhookId));
  }

  forAccount(accountId: string): ReceivedEvent[] {
    return this.distinct().filter((event) => event.accountId === accountId);
  }

  /** Waits until `predicate` holds of what was received, or fails after `timeoutMs`. */
  async waitFor(predicate: (consumer: this) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `the consumer did not get what was awaited; it has ${this.received.length} deliveries`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString();
    this.attempts += 1;
    if (this.behaviour === 'hang') {
      this.hanging.push(response);
      return;
    }
    if (this.behaviour === 'down') {
      response.writeHead(503).end();
      return;
    }
    let event: Omit<ReceivedEvent, 'webhookId' | 'receivedAt'>;
    try {
      event = this.webhook.verify(body, request.headers as Record<string, string>) as typeof event;
    } catch {
      this.refused += 1;
      response.writeHead(401).end();
      return;
    }
    this.received.push({
      ...event,
      webhookId: String(request.headers['webhook-id']),
      receivedAt: Date.now(),
    });
    response.writeHead(204).end();
    for (const wake of this.waiters.splice(0)) wake();
  }
}

export const CONSUMER_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
export const OTHER_CONSUMER_SECRET = 'whsec_dGhpcyBpcyBhbm90aGVyIHRlc3Qgc2VjcmV0IQ==';
