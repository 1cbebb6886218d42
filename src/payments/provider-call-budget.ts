import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

/** Slack on top of the provider's own timeouts and retry backoff. */
const LEASE_SLACK_MS = 5_000;

/**
 * How long one provider call can take at most, retries included: the lease a request holds on a
 * row it is creating at the provider, and so how long others wait for it before taking over.
 */
@Injectable()
export class ProviderCallBudget {
  constructor(private readonly config: AppConfig) {}

  leaseMs(): number {
    const { timeoutMs, maxNetworkRetries } = this.config.stripe;
    return timeoutMs * (maxNetworkRetries + 1) + LEASE_SLACK_MS;
  }

  leaseUntil(): Date {
    return new Date(Date.now() + this.leaseMs());
  }
}
