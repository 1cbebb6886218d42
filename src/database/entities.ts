import { AccountGrant } from '../accounts/account-grant.entity';
import { Account } from '../accounts/account.entity';
import { ApiKey } from '../accounts/api-key.entity';
import { Customer } from '../customers/customer.entity';
import { SandboxObject } from '../payments/sandbox/sandbox-object.entity';
import { CheckoutSession } from '../checkout/checkout-session.entity';
import { Subscription } from '../subscriptions/subscription.entity';
import { WebhookEvent } from '../webhooks/webhook-event.entity';
import { IdempotencyRecord } from '../common/idempotency/idempotency-record.entity';
import { HealthProbe } from '../health/health-probe.entity';
import { SubscriptionChange } from '../subscriptions/subscription-change.entity';
import { OutboundEvent } from '../events/outbound-event.entity';
import { EventEndpoint } from '../events/event-endpoint.entity';
import { EventDelivery } from '../events/event-delivery.entity';
import { JobLease } from '../reconciliation/job-lease.entity';
import { InitialSchema1763700000000 } from './migrations/1763700000000-initial-schema';
import { IdempotencyKeys1763800000000 } from './migrations/1763800000000-idempotency-keys';
import { OneOpenCheckout1764000000000 } from './migrations/1764000000000-one-open-checkout';
import { WebhookEventOutcomes1764000000001 } from './migrations/1764000000001-webhook-event-outcomes';
import { HealthProbes1764100000000 } from './migrations/1764100000000-health-probes';
import { SubscriptionChanges1764200000000 } from './migrations/1764200000000-subscription-changes';
import { OutboundEvents1764300000000 } from './migrations/1764300000000-outbound-events';
import { JobLeases1764400000000 } from './migrations/1764400000000-job-leases';

export const ENTITIES = [
  Account,
  ApiKey,
  AccountGrant,
  Customer,
  CheckoutSession,
  Subscription,
  WebhookEvent,
  SandboxObject,
  IdempotencyRecord,
  HealthProbe,
  SubscriptionChange,
  OutboundEvent,
  EventEndpoint,
  EventDelivery,
  JobLease,
];

export const MIGRATIONS = [
  InitialSchema1763700000000,
  IdempotencyKeys1763800000000,
  OneOpenCheckout1764000000000,
  WebhookEventOutcomes1764000000001,
  HealthProbes1764100000000,
  SubscriptionChanges1764200000000,
  OutboundEvents1764300000000,
  JobLeases1764400000000,
];
