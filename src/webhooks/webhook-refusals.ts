import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { RateLimitStorage } from '../rate-limit/rate-limit.storage';

const WINDOW_MS = 60_000;
const SUMMARY_INTERVAL_MS = 60_000;
/** Addresses summed up one by one at most; refusals from further ones are summed up together. */
const MAX_TRACKED_ADDRESSES = 10_000;
const OTHER_ADDRESSES = 'other addresses';

export interface RefusalVerdict {
  /** Seconds the address is over the limit for (0: not over it). */
  limitedForSeconds: number;
  /** Whether this refusal was logged; the others of the address go into its summary line. */
  logged: boolean;
}

/**
 * Refused webhook deliveries, per IP: past RATE_LIMIT_PER_MINUTE in a minute the address is over
 * the limit until the minute ends (counted where the other rate limits are, so across instances
 * with Redis). Anyone can post to the endpoint, so refusals are logged sparingly: the first of an
 * address, then one summary line a minute with how many followed. Deliveries that pass
 * verification are never counted here.
 */
@Injectable()
export class WebhookRefusals implements OnApplicationShutdown {
  private readonly logger = new Logger(WebhookRefusals.name);
  private readonly unsummarised = new Map<string, { refused: number; limited: number }>();
  private readonly timer = setInterval(() => this.summarise(), SUMMARY_INTERVAL_MS).unref();

  constructor(
    private readonly storage: RateLimitStorage,
    private readonly config: AppConfig,
  ) {}

  async record(ip: string | undefined, reason: string): Promise<RefusalVerdict> {
    const address = ip ?? 'unknown';
    const counter = await this.storage.increment(
      `ip:${address}`,
      WINDOW_MS,
      this.config.rateLimitPerMinute,
      WINDOW_MS,
      'webhook-refusals',
    );
    const limitedForSeconds = counter.isBlocked ? Math.max(1, counter.timeToBlockExpire) : 0;

    const key =
      this.unsummarised.has(address) || this.unsummarised.size < MAX_TRACKED_ADDRESSES
        ? address
        : OTHER_ADDRESSES;
    let tally = this.unsummarised.get(key);
    const logged = tally === undefined;
    if (!tally) {
      tally = { refused: 0, limited: 0 };
      this.unsummarised.set(key, tally);
    }
    tally.refused++;
    if (limitedForSeconds > 0) tally.limited++;
    if (logged) this.logger.warn({ ip: key, reason }, 'webhook refused');
    return { limitedForSeconds, logged };
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.summarise();
  }

  private summarise(): void {
    for (const [ip, { refused, limited }] of this.unsummarised) {
      if (refused > 1) this.logger.warn({ ip, refused, limited }, 'webhooks refused since the last summary');
    }
    this.unsummarised.clear();
  }
}
