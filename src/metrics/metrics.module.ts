import { Module } from '@nestjs/common';
import { DatabasePoolMetrics } from './database-pool.metrics';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { MetricsTokenGuard } from './metrics-token.guard';

/** The service's metrics registry: imported by the features that count (docs/metrics.md). */
@Module({
  providers: [MetricsService, DatabasePoolMetrics],
  exports: [MetricsService],
})
export class MetricsModule {}

/**
 * `GET /metrics`, imported only when METRICS_TOKEN is set: without it the route does not exist
 * (404, like any unknown path), while the counting goes on.
 */
@Module({
  imports: [MetricsModule],
  controllers: [MetricsController],
  providers: [MetricsTokenGuard],
})
export class MetricsEndpointModule {}
