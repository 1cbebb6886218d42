import { DynamicModule, Module } from '@nestjs/common';
import { CheckoutModule } from './checkout/checkout.module';
import { IdempotencyModule } from './common/idempotency/idempotency.module';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/app-config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { loggerModule } from './logging/logger.module';
import { PaymentsModule } from './payments/payments.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { SandboxPagesModule } from './payments/sandbox/sandbox-pages.module';
import { SubscriptionsModule } from './subscriptions/subscriptions.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        loggerModule(config),
        DatabaseModule,
        IdempotencyModule,
        RateLimitModule,
        PaymentsModule.forProvider(config.provider),
        CheckoutModule,
        SubscriptionsModule,
        WebhooksModule,
        HealthModule,
        ...(config.provider === 'sandbox' ? [SandboxPagesModule.forRoot({ events: WebhooksModule })] : []),
      ],
    };
  }
}
