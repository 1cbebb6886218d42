import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { EventDeliveriesRepository } from './event-deliveries.repository';
import { EventDispatcher } from './event-dispatcher.service';
import { EventEndpointsRepository } from './event-endpoints.repository';
import { EventFeedRepository } from './event-feed.repository';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';
import { OutboxModule } from './outbox.module';

/** Outbound events: their delivery to endpoints, the pull feed and their administration. */
@Module({
  imports: [AuthModule, OutboxModule],
  controllers: [EventsController],
  providers: [
    EventsService,
    EventDispatcher,
    EventEndpointsRepository,
    EventDeliveriesRepository,
    EventFeedRepository,
  ],
  exports: [EventDispatcher, EventDeliveriesRepository],
})
export class EventsModule {}
