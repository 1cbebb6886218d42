import { DynamicModule, Module } from '@nestjs/common';
import { BillingModule } from './billing/billing.module';
import { ChangesModule } from './changes/changes.module';
import { CheckoutModule } from './checkout/checkout.module';
import { IdempotencyModule } from './common/idempotency/idempotency.module';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/app-config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { loggerModule } from './logging/logger.module';
import { MetricsEndpointModule, MetricsModule } from './metrics/metrics.module';
import { PaymentsModule } from './payments/payments.module';
import { PricesModule } from './prices/prices.module';
import { providerCallLeaseMs } from './payments/provider-call-budget';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { SandboxPagesModule } from './payments/sandbox/sandbox-pages.module';
import { SubscriptionsModule } from './subscriptions/subscriptions.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { EventsModule } from './events/events.module';
import { ReconciliationJobModule } from './reconciliation/reconciliation.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        loggerModule(config),
        DatabaseModule,
        MetricsModule,
        // A request under an Idempotency-Key is given as long as a provider call can take.
        IdempotencyModule.forRoot({ leaseMs: providerCallLeaseMs(config.providerCalls) }),
        RateLimitModule,
        PaymentsModule.forProvider(config.provider),
        CheckoutModule,
        ChangesModule,
        BillingModule,
        SubscriptionsModule,
        EventsModule,
        PricesModule,
        WebhooksModule,
        ReconciliationJobModule,
        HealthModule,
        ...(config.metricsToken ? [MetricsEndpointModule] : []),
        ...(config.provider === 'sandbox'
          ? [SandboxPagesModule.forRoot({ events: WebhooksModule, changes: ChangesModule })]
          : []),
      ],
    };
  }
}
