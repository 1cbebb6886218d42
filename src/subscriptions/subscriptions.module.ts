import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CheckoutModule } from '../checkout/checkout.module';
import { CommonModule } from '../common/common.module';
import { CustomersModule } from '../customers/customers.module';
import { ProviderStateModule } from './provider-state.module';
import { SubscriptionsController } from './subscriptions.controller';
import { SubscriptionsService } from './subscriptions.service';

/** The account's subscription as the service knows it: `me`, the portal, and the provider's reports. */
@Module({
  imports: [AuthModule, CustomersModule, CheckoutModule, CommonModule, ProviderStateModule],
  controllers: [SubscriptionsController],
  providers: [SubscriptionsService],
  exports: [SubscriptionsService, ProviderStateModule],
})
export class SubscriptionsModule {}
