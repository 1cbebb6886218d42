import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PaymentProvider } from './payment-provider';
import { ProviderCallBudget } from './provider-call-budget';
import { SandboxPaymentProvider } from './sandbox/sandbox-payment-provider';
import { SandboxStore } from './sandbox/sandbox-store';
import { createStripeClients } from './stripe/stripe-clients.factory';
import { STRIPE_CLIENTS, StripePaymentProvider } from './stripe/stripe-payment-provider';

/** Binds the PaymentProvider port to the adapter PAYMENT_PROVIDER names. */
@Global()
@Module({})
export class PaymentsModule {
  static forProvider(provider: AppConfig['provider']): DynamicModule {
    const adapters: Provider[] =
      provider === 'stripe'
        ? [
            { provide: STRIPE_CLIENTS, inject: [AppConfig], useFactory: createStripeClients },
            StripePaymentProvider,
            { provide: PaymentProvider, useExisting: StripePaymentProvider },
          ]
        : [
            SandboxStore,
            SandboxPaymentProvider,
            { provide: PaymentProvider, useExisting: SandboxPaymentProvider },
          ];
    const exported = provider === 'stripe' ? [] : [SandboxStore, SandboxPaymentProvider];
    return {
      module: PaymentsModule,
      providers: [...adapters, ProviderCallBudget],
      exports: [PaymentProvider, ProviderCallBudget, ...exported],
    };
  }
}
