import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config';
import { AuthFailureLimiter } from './auth-failure.limiter';
import { IpRateLimitGuard } from './rate-limit.guard';
import { RateLimitStorage } from './rate-limit.storage';

/** The counters behind every limit; imported by the features that count (auth, webhooks). */
@Module({
  providers: [RateLimitStorage, AuthFailureLimiter],
  exports: [RateLimitStorage, AuthFailureLimiter],
})
export class RateLimitStorageModule {}

/**
 * Rate limits (429 with Retry-After) for every route that does not opt out with @SkipThrottle():
 * per credential on the routes of @Authenticated(), per IP on the others.
 */
@Module({
  imports: [
    RateLimitStorageModule,
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStorageModule],
      inject: [AppConfig, RateLimitStorage],
      useFactory: (config: AppConfig, storage: RateLimitStorage) => ({
        throttlers: [{ name: 'default', ttl: 60_000, limit: config.rateLimitPerMinute }],
        storage,
      }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: IpRateLimitGuard }],
  exports: [RateLimitStorageModule],
})
export class RateLimitModule {}
