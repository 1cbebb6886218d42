import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { AppConfig } from '../config/app-config';
import { ClaimedDelivery, EventDeliveriesRepository } from './event-deliveries.repository';
import { configEndpointId, EventEndpointsRepository, SigningEndpoint } from './event-endpoints.repository';
import { DispatchSignal } from './dispatch-signal';

/** At most this many deliveries to one endpoint are in flight from one instance (each of another account). */
const BATCH = 32;
/** The longest wait between two retries of one delivery. */
const MAX_BACKOFF_MS = 3_600_000;
/** How often the list of endpoints (some are added through the API) is read again. */
const ENDPOINTS_REFRESH_MS = 5_000;
const PRUNE_EVERY_MS = 3_600_000;

export type DeliveryOutcome = 'delivered' | 'failed' | 'parked';

/** What an attempt to deliver came to. */
interface Attempt {
  status: number | null;
  error: string | null;
  seconds: number;
}

/**
 * Sends the outbox's events to their endpoints, signed with the Standard Webhooks scheme: at
 * least once (a delivery is marked done only after a 2xx), in order per account and endpoint,
 * retried with exponential backoff and jitter until its retry window ends, then parked. Each
 * endpoint has its own loop, so a slow or dead endpoint holds up no other; several instances share
 * the work through the deliveries' leases.
 */
@Injectable()
export class EventDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EventDispatcher.name);
  /** This instance, as the holder of the leases it takes. */
  private readonly holder = `i_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
  private readonly loops = new Map<string, EndpointLoop>();
  private stopped = true;
  private refreshTimer?: NodeJS.Timeout;
  private lastPrune = 0;
  private unlisten?: () => void;
  private lastError: string | null = null;
  private configuredRecorded = false;
  /** Called with each attempt's outcome (for the metrics). */
  onAttempt?: (endpointId: string, outcome: DeliveryOutcome, seconds: number) => void;

  constructor(
    private readonly config: AppConfig,
    private readonly endpoints: EventEndpointsRepository,
    private readonly deliveries: EventDeliveriesRepository,
    private readonly signal: DispatchSignal,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.stopped = false;
    this.unlisten = this.signal.listen(() => {
      for (const loop of this.loops.values()) loop.wake();
    });
    await this.refresh();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unlisten?.();
    clearTimeout(this.refreshTimer);
    await Promise.all([...this.loops.values()].map((loop) => loop.stop()));
    this.loops.clear();
  }

  /** Whether the dispatcher runs, and what it last failed at (for /health). */
  status(): { running: boolean; endpoints: number; lastError: string | null } {
    return { running: !this.stopped, endpoints: this.loops.size, lastError: this.lastError };
  }

  /** Looks at the endpoints again now (an admin added or removed one on this instance). */
  async refresh(): Promise<void> {
    clearTimeout(this.refreshTimer);
    if (this.stopped) return;
    try {
      // The configured endpoints are recorded once the database takes writes (it may not at start).
      if (!this.configuredRecorded) {
        await this.endpoints.syncConfigured(this.config.events.endpoints);
        this.configuredRecorded = true;
      }
      const wanted = new Map<string, SigningEndpoint>();
      for (const { url, secret } of this.config.events.endpoints)
        wanted.set(configEndpointId(url), { id: configEndpointId(url), url, secret });
      for (const endpoint of await this.endpoints.signingApiEndpoints()) wanted.set(endpoint.id, endpoint);
      for (const [id, loop] of this.loops) {
        if (!wanted.has(id)) {
          this.loops.delete(id);
          void loop.stop();
        }
      }
      for (const [id, endpoint] of wanted) {
        if (this.loops.has(id)) continue;
        const loop = new EndpointLoop((claimed) => this.deliver(endpoint, claimed), {
          claim: async () => {
            const claimed = await this.deliveries.claim(id, this.holder, {
              limit: BATCH,
              leaseMs: this.config.events.timeoutMs + 5_000,
            });
            this.lastError = null;
            return claimed;
          },
          pollMs: this.config.events.pollMs,
          onError: (error) => this.failedLoop(endpoint, error),
        });
        this.loops.set(id, loop);
        loop.start();
      }
      if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
        this.lastPrune = Date.now();
        await this.deliveries.prune(new Date(Date.now() - this.config.events.retentionMs));
      }
      this.lastError = null;
    } catch (error) {
      this.lastError = (error as Error).message;
      this.logger.warn({ reason: this.lastError }, 'outbound event endpoints could not be read');
    }
    if (!this.stopped) {
      this.refreshTimer = setTimeout(() => void this.refresh(), ENDPOINTS_REFRESH_MS);
      this.refreshTimer.unref();
    }
  }

  private failedLoop(endpoint: SigningEndpoint, error: unknown): void {
    this.lastError = (error as Error).message;
    this.logger.warn(
      { endpoint: endpoint.id, reason: this.lastError },
      'outbound deliveries could not be taken',
    );
  }

  private async deliver(endpoint: SigningEndpoint, claimed: ClaimedDelivery): Promise<void> {
    const attempt = await send(endpoint, claimed, this.config.events.timeoutMs);
    if (attempt.status !== null && attempt.status >= 200 && attempt.status < 300) {
      await this.deliveries.delivered(claimed.id, this.holder, attempt.status);
      this.onAttempt?.(endpoint.id, 'delivered', attempt.seconds);
      return;
    }
    const delay = backoff(claimed.attempts, this.config.events.retryBaseMs);
    const next = new Date(Date.now() + delay);
    const parked = next.getTime() > claimed.retryUntil.getTime();
    await this.deliveries.failed(claimed.id, this.holder, {
      status: attempt.status,
      error: attempt.error ?? `HTTP ${attempt.status}`,
      nextAttemptAt: parked ? null : next,
    });
    this.onAttempt?.(endpoint.id, parked ? 'parked' : 'failed', attempt.seconds);
    if (parked)
      this.logger.warn(
        { endpoint: endpoint.id, delivery: claimed.id, event: claimed.eventId, attempts: claimed.attempts },
        'outbound event delivery parked: its retry window ended',
      );
  }
}

/**
 * The delay before the next attempt after `attempts` failed ones: the base doubled each time, up
 * to an hour, with "equal jitter" (half fixed, half random), so that retries of many deliveries
 * spread out.
 */
export function backoff(attempts: number, baseMs: number, random = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** One attempt: the event's body, signed now, posted with a time limit; redirects are not followed. */
async function send(
  endpoint: SigningEndpoint,
  claimed: ClaimedDelivery,
  timeoutMs: number,
): Promise<Attempt> {
  const started = performance.now();
  const timestamp = new Date();
  const signature = new Webhook(endpoint.secret).sign(claimed.eventId, timestamp, claimed.payload);
  try {
    const response = await fetch(endpoint.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'billing-sessions-service',
        'webhook-id': claimed.eventId,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body: claimed.payload,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status, error: null, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return {
      status: null,
      error: timedOut ? `no answer within ${timeoutMs} ms` : `request failed${cause ? ` (${cause})` : ''}`,
      seconds: (performance.now() - started) / 1000,
    };
  }
}

/**
 * The work loop of one endpoint: take due deliveries, send them side by side, and again; when
 * there are none, wait until woken (a commit wrote some) or the poll interval passes.
 */
class EndpointLoop {
  private running = false;
  private done?: Promise<void>;
  private wakeUp?: () => void;
  private woken = false;

  constructor(
    private readonly deliver: (claimed: ClaimedDelivery) => Promise<void>,
    private readonly options: {
      claim: () => Promise<ClaimedDelivery[]>;
      pollMs: number;
      onError: (error: unknown) => void;
    },
  ) {}

  start(): void {
    this.running = true;
    this.done = this.run();
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.done;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed: ClaimedDelivery[] = [];
      this.woken = false;
      try {
        claimed = await this.options.claim();
        await Promise.all(claimed.map((delivery) => this.deliver(delivery).catch(this.options.onError)));
      } catch (error) {
        this.options.onError(error);
      }
      if (claimed.length === 0 && !this.woken && this.running) await this.pause();
    }
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.options.pollMs);
      this.wakeUp = done;
    });
  }
}
