import Stripe from 'stripe';
import { AppConfig, ProviderMode } from '../../config/app-config';
import { ProviderCallAttempts } from '../provider-call-attempts';
import { StripeClients } from './stripe-payment-provider';

/**
 * The Stripe API version this service is written against. Pinned so that a change of the SDK
 * or of the account's default version cannot change what the service reads.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive' as const;

/** The client's event emitter, which the SDK types as `any`. */
interface RequestEvents {
  on(event: 'request', listener: (event: Stripe.RequestEvent) => void): void;
}

/** One client per configured credential set, built once for the life of the process. */
export function createStripeClients(config: AppConfig): StripeClients {
  const clients: StripeClients = {};
  const endpoint = config.stripe.apiUrl;
  for (const mode of ['live', 'test'] as ProviderMode[]) {
    const credentials = config.stripe.credentials[mode];
    if (!credentials) continue;
    clients[mode] = new Stripe(credentials.secretKey, {
      apiVersion: STRIPE_API_VERSION,
      timeout: config.providerCalls.timeoutMs,
      maxNetworkRetries: config.providerCalls.maxNetworkRetries,
      telemetry: false,
      appInfo: { name: 'billing-sessions-service' },
      ...(endpoint
        ? {
            protocol: endpoint.protocol === 'http:' ? 'http' : 'https',
            host: endpoint.hostname,
            port: Number(endpoint.port || (endpoint.protocol === 'http:' ? 80 : 443)),
          }
        : {}),
    });
    // The SDK announces every attempt it sends, its own retries included (which it otherwise
    // keeps to itself): the measured call it belongs to counts the repeated ones.
    (clients[mode] as unknown as RequestEvents).on('request', (event) =>
      ProviderCallAttempts.attempted({
        method: event.method ?? '',
        path: event.path ?? '',
        idempotencyKey: event.idempotency_key,
      }),
    );
  }
  return clients;
}
