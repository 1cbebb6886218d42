import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CheckoutModule } from '../checkout/checkout.module';
import { CommonModule } from '../common/common.module';
import { CustomersModule } from '../customers/customers.module';
import { OutboxModule } from '../events/outbox.module';
import { ProviderStateService } from './provider-state.service';
import { SubscriptionChangesRepository } from './subscription-changes.repository';
import { SubscriptionsController } from './subscriptions.controller';
import { SubscriptionsService } from './subscriptions.service';

/** The account's subscription as the service knows it: `me`, the portal, and the provider's reports. */
@Module({
  imports: [AuthModule, CustomersModule, CheckoutModule, CommonModule, OutboxModule],
  controllers: [SubscriptionsController],
  providers: [SubscriptionsService, SubscriptionChangesRepository, ProviderStateService],
  exports: [ProviderStateService, SubscriptionsService, OutboxModule, SubscriptionChangesRepository],
})
export class SubscriptionsModule {}
