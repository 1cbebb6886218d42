import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CheckoutModule } from '../checkout/checkout.module';
import { CommonModule } from '../common/common.module';
import { HostedChanges } from '../payments/hosted-changes';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { ChangesService } from './changes.service';
import { SubscriptionLifecycleService } from './lifecycle.service';
import { SubscriptionLifecycleController } from './subscription-lifecycle.controller';

/** Changing a subscription: change checkouts (preview, confirm), cancel and resume, a scheduled change withdrawn. */
@Module({
  imports: [AuthModule, CheckoutModule, SubscriptionsModule, CommonModule],
  controllers: [SubscriptionLifecycleController],
  providers: [
    ChangesService,
    SubscriptionLifecycleService,
    { provide: HostedChanges, useExisting: ChangesService },
  ],
  exports: [ChangesService, HostedChanges],
})
export class ChangesModule {}
