import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AuthModule } from '../auth/auth.module';
import { CommonModule } from '../common/common.module';
import { CustomersModule } from '../customers/customers.module';
import { ProviderStateModule } from '../subscriptions/provider-state.module';
import { CheckoutService } from './checkout.service';
import { PriceCatalog } from './price-catalog';
import { SubscriptionSessionsController } from './subscription-sessions.controller';

/**
 * Hosted checkouts, for both API families (the subscriptions API's sessions, billing checkout):
 * the rules of the one open checkout and the one trial, and the records they keep.
 */
@Module({
  imports: [AuthModule, AccountsModule, CustomersModule, CommonModule, ProviderStateModule],
  controllers: [SubscriptionSessionsController],
  providers: [CheckoutService, PriceCatalog],
  exports: [CheckoutService, PriceCatalog, ProviderStateModule],
})
export class CheckoutModule {}
