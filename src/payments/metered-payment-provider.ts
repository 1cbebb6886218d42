import { performance } from 'node:perf_hooks';
import { DomainError } from '../common/errors/domain-errors';
import { MetricsService } from '../metrics/metrics.service';
import { PaymentProvider } from './payment-provider';
import { ProviderCallAttempts } from './provider-call-attempts';

/**
 * The PaymentProvider port with every call measured (docs/metrics.md): the one place all provider
 * calls pass through, whatever the adapter. Each method that answers a promise is a call, named
 * by the method (`createCheckoutSession`), with its outcome (`ok`, or the error's code), its
 * duration and the attempts it repeated; synchronous methods (`parseWebhook`, `supportsMode`)
 * talk to nobody and pass through unmeasured. A proxy rather than a class that repeats each
 * method, so that a method added to the port is measured without anyone remembering to.
 */
export function meteredPaymentProvider(adapter: PaymentProvider, metrics: MetricsService): PaymentProvider {
  return new Proxy(adapter, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const method = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]): unknown => {
        const attempts = new ProviderCallAttempts();
        const started = performance.now();
        const result = attempts.run(() => method.apply(target, args));
        if (!(result instanceof Promise)) return result;
        const record = (outcome: string) =>
          metrics.providerCall(property, outcome, (performance.now() - started) / 1000, attempts.retries);
        return result.then(
          (answer: unknown) => {
            record('ok');
            return answer;
          },
          (error: unknown) => {
            record(error instanceof DomainError ? error.code.toLowerCase() : 'error');
            throw error;
          },
        );
      };
    },
  });
}
