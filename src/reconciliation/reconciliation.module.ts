import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module';
import { MetricsModule } from '../metrics/metrics.module';
import { ProviderStateModule } from '../subscriptions/provider-state.module';
import { JobLeasesRepository } from './job-leases.repository';
import { ReconciliationJob } from './reconciliation.job';
import { ReconciliationService } from './reconciliation.service';

/** Reconciliation with the provider: what `npm run -s cli -- sync` runs. */
@Module({
  imports: [CustomersModule, ProviderStateModule, MetricsModule],
  providers: [JobLeasesRepository, ReconciliationService],
  exports: [ReconciliationService],
})
export class ReconciliationModule {}

/** The service's periodic round (SYNC_INTERVAL_MINUTES); the command line runs without it. */
@Module({
  imports: [ReconciliationModule],
  providers: [ReconciliationJob],
})
export class ReconciliationJobModule {}
