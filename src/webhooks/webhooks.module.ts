import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CustomersModule } from '../customers/customers.module';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { WebhookEventsRepository } from './webhook-events.repository';
import { WebhookProcessor } from './webhook-processor.service';
import { WebhookRefusalInterceptor } from './webhook-refusal.interceptor';
import { WebhookRefusals } from './webhook-refusals';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

@Module({
  imports: [AccountsModule, CustomersModule, SubscriptionsModule],
  controllers: [WebhooksController],
  providers: [
    WebhooksService,
    WebhookProcessor,
    WebhookEventsRepository,
    WebhookRefusals,
    WebhookRefusalInterceptor,
  ],
  exports: [WebhookProcessor],
})
export class WebhooksModule {}
