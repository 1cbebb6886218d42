import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { EventDeliveriesRepository } from './event-deliveries.repository';
import { EventDispatcher } from './event-dispatcher.service';
import { EventEndpointsRepository } from './event-endpoints.repository';
import { EventFeedRepository } from './event-feed.repository';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';
import { OutboxModule } from './outbox.module';
import { OutboxObservability } from './outbox-observability';
import { MetricsModule } from '../metrics/metrics.module';
import { ReadinessModule } from '../health/readiness.module';

/** Outbound events: their delivery to endpoints, the pull feed and their administration. */
@Module({
  imports: [AuthModule, OutboxModule, MetricsModule, ReadinessModule],
  controllers: [EventsController],
  providers: [
    EventsService,
    EventDispatcher,
    EventEndpointsRepository,
    EventDeliveriesRepository,
    EventFeedRepository,
    OutboxObservability,
  ],
  exports: [EventDispatcher, EventDeliveriesRepository],
})
export class EventsModule {}
