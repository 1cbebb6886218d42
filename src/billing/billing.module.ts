import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ChangesModule } from '../changes/changes.module';
import { CheckoutModule } from '../checkout/checkout.module';
import { BillingController } from './billing.controller';

/** The checkout document's API family (/api/billing): new checkouts and change checkouts alike. */
@Module({
  imports: [AuthModule, CheckoutModule, ChangesModule],
  controllers: [BillingController],
})
export class BillingModule {}
