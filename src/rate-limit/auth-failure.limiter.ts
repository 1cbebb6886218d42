import { Injectable } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config';
import { RateLimitStorage } from './rate-limit.storage';

const WINDOW_MS = 60_000;

/**
 * Counts failed authentications per IP: past RATE_LIMIT_PER_MINUTE in a minute the IP gets 429
 * instead of 401 until the window ends, so guessing keys is as limited as using one.
 */
@Injectable()
export class AuthFailureLimiter {
  constructor(
    private readonly storage: RateLimitStorage,
    private readonly config: AppConfig,
  ) {}

  /** Records a failure; throws 429 (with Retry-After set on the reply) once the IP is over the limit. */
  async recordFailure(
    ip: string | undefined,
    reply: { header(name: string, value: string): unknown },
  ): Promise<void> {
    const record = await this.storage.increment(
      `ip:${ip ?? 'unknown'}`,
      WINDOW_MS,
      this.config.rateLimitPerMinute,
      WINDOW_MS,
      'auth-failures',
    );
    if (record.isBlocked) {
      reply.header('retry-after', String(Math.max(1, record.timeToBlockExpire)));
      throw new ThrottlerException();
    }
  }
}
