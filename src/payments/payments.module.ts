import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { MetricsModule } from '../metrics/metrics.module';
import { MetricsService } from '../metrics/metrics.service';
import { meteredPaymentProvider } from './metered-payment-provider';
import { PaymentProvider } from './payment-provider';
import { ProviderCallBudget } from './provider-call-budget';
import { SandboxPaymentProvider } from './sandbox/sandbox-payment-provider';
import { SandboxStore } from './sandbox/sandbox-store';
import { createStripeClients } from './stripe/stripe-clients.factory';
import { STRIPE_CLIENTS, StripePaymentProvider } from './stripe/stripe-payment-provider';

/** Binds the PaymentProvider port to the adapter PAYMENT_PROVIDER names, its calls measured. */
@Global()
@Module({})
export class PaymentsModule {
  static forProvider(provider: AppConfig['provider']): DynamicModule {
    const adapter = provider === 'stripe' ? StripePaymentProvider : SandboxPaymentProvider;
    const adapters: Provider[] =
      provider === 'stripe'
        ? [
            { provide: STRIPE_CLIENTS, inject: [AppConfig], useFactory: createStripeClients },
            StripePaymentProvider,
          ]
        : [SandboxStore, SandboxPaymentProvider];
    const port: Provider = {
      provide: PaymentProvider,
      inject: [adapter, MetricsService],
      useFactory: meteredPaymentProvider,
    };
    const exported = provider === 'stripe' ? [] : [SandboxStore, SandboxPaymentProvider];
    return {
      module: PaymentsModule,
      imports: [MetricsModule],
      providers: [...adapters, port, ProviderCallBudget],
      exports: [PaymentProvider, ProviderCallBudget, ...exported],
    };
  }
}
