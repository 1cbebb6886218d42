import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CustomersModule } from '../customers/customers.module';
import { CheckoutSessionsRepository } from './checkout-sessions.repository';
import { CheckoutService } from './checkout.service';
import { PriceCatalog } from './price-catalog';
import { SubscriptionsController } from './subscriptions.controller';
import { SubscriptionsRepository } from './subscriptions.repository';
import { SubscriptionsService } from './subscriptions.service';

@Module({
  imports: [AuthModule, CustomersModule],
  controllers: [SubscriptionsController],
  providers: [
    SubscriptionsService,
    CheckoutService,
    PriceCatalog,
    CheckoutSessionsRepository,
    SubscriptionsRepository,
  ],
  exports: [CheckoutService, CheckoutSessionsRepository, SubscriptionsRepository],
})
export class SubscriptionsModule {}
