import { Module } from '@nestjs/common';
import { CheckoutSessionsRepository } from '../checkout/checkout-sessions.repository';
import { TrialsRepository } from '../checkout/trials.repository';
import { CustomersModule } from '../customers/customers.module';
import { OutboxModule } from '../events/outbox.module';
import { ProviderStateService } from './provider-state.service';
import { SubscriptionChangesRepository } from './subscription-changes.repository';

/**
 * What the provider reports, applied to the records (ProviderStateService) with the repositories
 * it writes: no controller and no guard, so that the command line's `sync` can use it alone.
 */
@Module({
  imports: [CustomersModule, OutboxModule],
  providers: [
    ProviderStateService,
    SubscriptionChangesRepository,
    CheckoutSessionsRepository,
    TrialsRepository,
  ],
  exports: [
    ProviderStateService,
    SubscriptionChangesRepository,
    CheckoutSessionsRepository,
    TrialsRepository,
    OutboxModule,
  ],
})
export class ProviderStateModule {}
