import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { PaymentEventSink } from '../payments/payment-event-sink';
import { RateLimitStorageModule } from '../rate-limit/rate-limit.module';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { WebhookEventsRepository } from './webhook-events.repository';
import { WebhookProcessor } from './webhook-processor.service';
import { WebhookRefusalInterceptor } from './webhook-refusal.interceptor';
import { WebhookRefusals } from './webhook-refusals';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

@Module({
  imports: [SubscriptionsModule, RateLimitStorageModule, MetricsModule],
  controllers: [WebhooksController],
  providers: [
    WebhooksService,
    WebhookProcessor,
    WebhookEventsRepository,
    WebhookRefusals,
    WebhookRefusalInterceptor,
    { provide: PaymentEventSink, useExisting: WebhookProcessor },
  ],
  exports: [PaymentEventSink],
})
export class WebhooksModule {}
