import { getMetadataArgsStorage } from 'typeorm';
import { AccountGrant } from '../accounts/account-grant.entity';
import { Account } from '../accounts/account.entity';
import { ApiKey } from '../accounts/api-key.entity';
import { IdempotencyRecord } from '../common/idempotency/idempotency-record.entity';
import { Customer } from '../customers/customer.entity';
import { HealthProbe } from '../health/health-probe.entity';
import { SandboxObject } from '../payments/sandbox/sandbox-object.entity';
import { CheckoutSession } from '../checkout/checkout-session.entity';
import { Subscription } from '../subscriptions/subscription.entity';
import { WebhookEvent } from '../webhooks/webhook-event.entity';
import { SubscriptionChange } from '../subscriptions/subscription-change.entity';
import { OutboundEvent } from '../events/outbound-event.entity';
import { EventEndpoint } from '../events/event-endpoint.entity';
import { EventDelivery } from '../events/event-delivery.entity';
import { JobLease } from '../reconciliation/job-lease.entity';
import { ENTITIES } from './entities';

/**
 * The tables, described once: each by its TypeORM entity, which gives the migrations their drift
 * check and the statements their row types (columns in camelCase, as the database layer hands
 * rows over).
 */
export interface Tables {
  accounts: Account;
  api_keys: ApiKey;
  account_grants: AccountGrant;
  customers: Customer;
  checkout_sessions: CheckoutSession;
  subscriptions: Subscription;
  webhook_events: WebhookEvent;
  sandbox_objects: SandboxObject;
  idempotency_keys: IdempotencyRecord;
  health_probes: HealthProbe;
  subscription_changes: SubscriptionChange;
  outbound_events: OutboundEvent;
  event_endpoints: EventEndpoint;
  event_deliveries: EventDelivery;
  job_leases: JobLease;
}

/**
 * The columns (by their camelCase names) that hold times and booleans, read from the entities:
 * SQLite keeps those as text and 0/1, and rows read from it are given the entities' types.
 */
export function typedColumns(): { times: Set<string>; booleans: Set<string> } {
  const times = new Set<string>();
  const booleans = new Set<string>();
  for (const column of getMetadataArgsStorage().columns) {
    if (!ENTITIES.includes(column.target as (typeof ENTITIES)[number])) continue;
    const type = String(column.options.type);
    if (type === 'timestamptz' || type === 'datetime') times.add(column.propertyName);
    if (type === 'boolean') booleans.add(column.propertyName);
  }
  return { times, booleans };
}
