import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RateLimitStorageModule } from '../rate-limit/rate-limit.module';
import { DatabaseHealthIndicator } from './database.health';
import { HealthController } from './health.controller';
import { ReadinessIndicator } from './readiness.indicator';
import { ReadinessModule } from './readiness.module';
import { RedisReadiness } from './redis.readiness';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), ReadinessModule, RateLimitStorageModule],
  controllers: [HealthController],
  providers: [DatabaseHealthIndicator, ReadinessIndicator, RedisReadiness],
})
export class HealthModule {}
