import Stripe from 'stripe';
import { AppConfig, ProviderMode } from '../../config/app-config';
import { StripeClients } from './stripe-payment-provider';

/**
 * The Stripe API version this service is written against. Pinned so that a change of the SDK
 * or of the account's default version cannot change what the service reads.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive' as const;

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
  }
  return clients;
}
