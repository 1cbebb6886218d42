import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { ProviderMode } from '../../config/app-config';
import { CheckoutSessionInput } from '../payment-provider';
import { sql } from 'kysely';
import { Database, Transaction } from '../../database/database';

export interface SandboxCustomer {
  id: string;
  mode: ProviderMode;
  accountId: string;
  name: string;
  email: string | null;
  /**
   * Set on the sandbox portal: the next payment that charges something fails (a renewal, the end
   * of a trial, a change), and the flag is spent on it.
   */
  failNextPayment?: boolean;
}

/** What the checkout was asked for, as stored (JSON: the expiry as a string, no cancel URL as null). */
export interface SandboxCheckoutSession extends Omit<
  CheckoutSessionInput,
  'cancelUrl' | 'expiresAt' | 'idempotencyKey'
> {
  id: string;
  cancelUrl: string | null;
  expiresAt: string;
  status: 'open' | 'complete' | 'expired';
  subscriptionId: string | null;
}

/**
 * The sandbox's own subscription statuses (its portal can only end a subscription at period end;
 * a renewal whose payment fails leaves it past due until the next one is paid).
 */
export type SandboxSubscriptionStatus = 'trialing' | 'active' | 'past_due' | 'canceled';

/** New terms waiting for the end of the period (a subscription schedule's next phase). */
export interface SandboxSchedule {
  id: string;
  priceId: string;
  quantity: number;
  effectiveAt: string;
  /** The service's change id, as the service gave it. */
  changeId: string;
}

export interface SandboxSubscription {
  id: string;
  mode: ProviderMode;
  customerId: string;
  status: SandboxSubscriptionStatus;
  priceId: string;
  quantity: number;
  trialEnd: string | null;
  /** Absent on subscriptions stored before periods were kept (their period began at `createdAt`). */
  currentPeriodStart?: string;
  currentPeriodEnd: string;
  cancelAtPeriodEnd: boolean;
  /** Absent when no change is scheduled. */
  schedule?: SandboxSchedule | null;
  metadata: Record<string, string>;
  createdAt: string;
}

/** An invoice line as stored (JSON: the period's times as strings). */
export interface SandboxInvoiceLine {
  description: string;
  amount: number;
  quantity: number;
  proration: boolean;
  period: { start: string; end: string } | null;
}

export interface SandboxInvoice {
  id: string;
  customerId: string;
  subscriptionId: string | null;
  amount: number;
  currency: string;
  /** `unpaid`: its payment failed (the portal's "Fail the next payment"); Stripe's `open`. */
  status: 'paid' | 'unpaid';
  /** `subscription_cycle` on a renewal's invoice (Stripe's billing_reason); absent on the others. */
  billingReason?: 'subscription_cycle';
  description: string;
  /** Absent on invoices of a checkout, which have one line: the description. */
  lines?: SandboxInvoiceLine[];
  createdAt: string;
}

export interface SandboxPortalSession {
  id: string;
  mode: ProviderMode;
  customerId: string;
  returnUrl: string;
}

interface Kinds {
  customer: SandboxCustomer;
  checkout_session: SandboxCheckoutSession;
  subscription: SandboxSubscription;
  invoice: SandboxInvoice;
  portal_session: SandboxPortalSession;
  /** Finds the subscription a schedule (kept on the subscription) belongs to. */
  subscription_schedule: { id: string; subscriptionId: string };
  idempotency: { id: string; objectId: string };
}

export type SandboxKind = keyof Kinds;

const PREFIX: Record<SandboxKind, string> = {
  customer: 'cus_sbx_',
  checkout_session: 'cs_sbx_',
  subscription: 'sub_sbx_',
  invoice: 'in_sbx_',
  portal_session: 'bps_sbx_',
  subscription_schedule: 'sub_sched_sbx_',
  idempotency: 'idem_sbx_',
};

export const sandboxId = (kind: SandboxKind): string => `${PREFIX[kind]}${randomBytes(12).toString('hex')}`;

const SANDBOX_ID = /^[a-z]{2,4}(?:_sched)?_sbx_[0-9a-f]{24,48}$/;

/** The sandbox provider's objects, kept in the service's own database as JSON documents. */
@Injectable()
export class SandboxStore {
  constructor(private readonly db: Database) {}

  async get<K extends SandboxKind>(kind: K, id: string, tx?: Transaction): Promise<Kinds[K] | null> {
    // Ids come from page URLs: anything not shaped like ours is unknown, and never reaches SQL.
    if (!SANDBOX_ID.test(id)) return null;
    const row = await this.db.first(
      sql<{ data: string }>`SELECT data FROM sandbox_objects WHERE id = ${id} AND kind = ${kind}`,
      tx,
    );
    return row ? (JSON.parse(row.data) as Kinds[K]) : null;
  }

  async insert<K extends SandboxKind>(
    kind: K,
    object: Kinds[K],
    owner: string | null = null,
    tx?: Transaction,
  ): Promise<void> {
    await this.db.changes(
      sql`INSERT INTO sandbox_objects (id, kind, owner, data, created_at)
          VALUES (${object.id}, ${kind}, ${owner}, ${JSON.stringify(object)}, ${new Date()})`,
      tx,
    );
  }

  /**
   * Compare-and-swap: stores `next` only if the object is still exactly `current` (as read), so
   * that of two requests changing one object from the same state only one succeeds. True when
   * this call changed it.
   */
  async replace<K extends SandboxKind>(
    kind: K,
    current: Kinds[K],
    next: Kinds[K],
    tx?: Transaction,
  ): Promise<boolean> {
    const changed = await this.db.changes(
      sql`UPDATE sandbox_objects SET data = ${JSON.stringify(next)}
           WHERE id = ${current.id} AND kind = ${kind} AND data = ${JSON.stringify(current)}`,
      tx,
    );
    return changed === 1;
  }

  async listByOwner<K extends SandboxKind>(
    kind: K,
    owner: string,
    tx?: Transaction,
  ): Promise<Array<Kinds[K]>> {
    const rows = await this.db.rows(
      sql<{ data: string }>`SELECT data FROM sandbox_objects WHERE kind = ${kind} AND owner = ${owner}
                             ORDER BY created_at DESC, id`,
      tx,
    );
    return rows.map((row) => JSON.parse(row.data) as Kinds[K]);
  }

  /** Replays the object an idempotency key created before, or creates it once. */
  async idempotent<K extends SandboxKind>(
    kind: K,
    idempotencyKey: string,
    create: () => Promise<Kinds[K]>,
  ): Promise<Kinds[K]> {
    const existing = await this.replayed(kind, idempotencyKey);
    if (existing) return existing;
    const created = await create();
    await this.remember(kind, idempotencyKey, (created as { id: string }).id);
    return created;
  }

  /** The object an idempotency key created before, if any. */
  async replayed<K extends SandboxKind>(
    kind: K,
    idempotencyKey: string,
    tx?: Transaction,
  ): Promise<Kinds[K] | null> {
    const record = await this.get('idempotency', idempotencyRecordId(kind, idempotencyKey), tx);
    return record ? this.get(kind, record.objectId, tx) : null;
  }

  /**
   * Records that the key created the object. Inside the transaction that creates it, a second
   * request with the same key fails here (the record's id is taken) and undoes its own work.
   */
  async remember(
    kind: SandboxKind,
    idempotencyKey: string,
    objectId: string,
    tx?: Transaction,
  ): Promise<void> {
    await this.insert('idempotency', { id: idempotencyRecordId(kind, idempotencyKey), objectId }, null, tx);
  }
}

function idempotencyRecordId(kind: SandboxKind, idempotencyKey: string): string {
  return `idem_sbx_${createHash('sha256').update(`${kind}:${idempotencyKey}`).digest('hex').slice(0, 48)}`;
}
