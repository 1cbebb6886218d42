import { Injectable } from '@nestjs/common';
import { AppConfig, ProviderCallConfig } from '../config/app-config';

/** Slack on top of the provider's own timeouts and retry backoff. */
const LEASE_SLACK_MS = 5_000;

/** How long one provider call can take at most, retries included. */
export function providerCallLeaseMs({ timeoutMs, maxNetworkRetries }: ProviderCallConfig): number {
  return timeoutMs * (maxNetworkRetries + 1) + LEASE_SLACK_MS;
}

/**
 * How long one provider call can take at most, retries included: the lease a request holds on a
 * row it is creating at the provider, and so how long others wait for it before taking over.
 */
@Injectable()
export class ProviderCallBudget {
  constructor(private readonly config: AppConfig) {}

  leaseMs(): number {
    return providerCallLeaseMs(this.config.providerCalls);
  }

  leaseUntil(): Date {
    return new Date(Date.now() + this.leaseMs());
  }
}
