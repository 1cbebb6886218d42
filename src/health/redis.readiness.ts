import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { RateLimitStorage } from '../rate-limit/rate-limit.storage';
import { ReadinessChecks } from './readiness-checks';

/** With REDIS_URL set, the shared rate-limit store is part of readiness: `redis` in GET /health. */
@Injectable()
export class RedisReadiness implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly storage: RateLimitStorage,
    private readonly checks: ReadinessChecks,
  ) {}

  onModuleInit(): void {
    if (!this.config.redisUrl) return;
    this.checks.register('redis', async () =>
      (await this.storage.redisAnswers())
        ? { status: 'up' }
        : { status: 'down', message: 'Redis does not answer' },
    );
  }
}
