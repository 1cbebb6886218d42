import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { FixedWindowStorage } from './fixed-window.storage';

/**
 * Where rate-limit counters live: Redis when REDIS_URL is set (limits hold across instances),
 * else this process. When Redis cannot be reached, requests are let through and a warning is
 * logged: a rate limit is protection, not something billing correctness depends on.
 */
const REDIS_READY_TIMEOUT_MS = 2_000;

@Injectable()
export class RateLimitStorage implements ThrottlerStorage, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RateLimitStorage.name);
  private readonly redis?: Redis;
  private readonly store: ThrottlerStorage;
  private readonly memory?: FixedWindowStorage;
  private lastWarning = 0;

  constructor(config: AppConfig) {
    if (config.redisUrl) {
      this.redis = new Redis(config.redisUrl, {
        lazyConnect: false,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 2_000,
        commandTimeout: 500,
      });
      this.redis.on('error', (error) => this.warn(error));
      this.store = new ThrottlerStorageRedisService(this.redis);
    } else {
      this.memory = new FixedWindowStorage();
      this.store = this.memory;
    }
  }

  /** Waits (briefly) for Redis, so that the first requests are counted too. */
  async onModuleInit(): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        redis.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, REDIS_READY_TIMEOUT_MS);
      redis.once('ready', done);
    });
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, name: string) {
    try {
      return await this.store.increment(key, ttl, limit, blockDuration, name);
    } catch (error) {
      this.warn(error);
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }

  /**
   * Whether the shared store answers a PING now (bounded by the client's command timeout; at once
   * when it is not connected, as nothing is queued); null when there is no shared store.
   */
  async redisAnswers(): Promise<boolean | null> {
    if (!this.redis) return null;
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  onApplicationShutdown(): void {
    this.memory?.close();
    this.redis?.disconnect(false);
  }

  private warn(error: unknown): void {
    if (Date.now() - this.lastWarning < 10_000) return;
    this.lastWarning = Date.now();
    this.logger.warn({ err: error }, 'rate-limit store unavailable; requests are not being limited');
  }
}
