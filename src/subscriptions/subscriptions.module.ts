import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CheckoutModule } from '../checkout/checkout.module';
import { CommonModule } from '../common/common.module';
import { CustomersModule } from '../customers/customers.module';
import { ProviderStateService } from './provider-state.service';
import { SubscriptionChangesRepository } from './subscription-changes.repository';
import { SubscriptionsController } from './subscriptions.controller';
import { SubscriptionsRepository } from './subscriptions.repository';
import { SubscriptionsService } from './subscriptions.service';

/** The account's subscription as the service knows it: `me`, the portal, and the provider's reports. */
@Module({
  imports: [AuthModule, CustomersModule, CheckoutModule, CommonModule],
  controllers: [SubscriptionsController],
  providers: [
    SubscriptionsService,
    SubscriptionsRepository,
    SubscriptionChangesRepository,
    ProviderStateService,
  ],
  exports: [
    ProviderStateService,
    SubscriptionsService,
    SubscriptionsRepository,
    SubscriptionChangesRepository,
  ],
})
export class SubscriptionsModule {}
