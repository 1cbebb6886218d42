import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Database, toDate, Transaction } from '../database/database';
import { isUniqueViolation } from '../database/database-errors';
import { ChangeStatus, SubscriptionChange } from './subscription-change.entity';

export type ChangeRecord = Omit<SubscriptionChange, 'account'>;

export type NewChange = Omit<
  ChangeRecord,
  'status' | 'leaseUntil' | 'scheduleId' | 'invoiceUrl' | 'updatedAt'
>;

/** The outcome of trying to take a change for confirming. */
export type ChangeClaim =
  | { claimed: true; change: ChangeRecord }
  | { claimed: false; change: ChangeRecord | undefined; inProgress: boolean };

/**
 * The change checkouts. The rules that span requests and instances are the partial unique
 * indexes' (one `applying` and one `scheduled` change per subscription) and compare-and-set
 * updates from a known status, so that two confirmations never both win.
 */
@Injectable()
export class SubscriptionChangesRepository {
  constructor(private readonly db: Database) {}

  async insert(change: NewChange): Promise<void> {
    await this.db.changes(
      sql`INSERT INTO subscription_changes
         (id, session_id, account_id, provider, mode, provider_subscription_id, type, status, timing,
          from_price_id, from_quantity, to_price_id, to_quantity, proration_date, end_trial, basis, estimates,
          effective_at, url, success_url, cancel_url, expires_at, created_at, updated_at)
       VALUES (${change.id}, ${change.sessionId}, ${change.accountId}, ${change.provider}, ${change.mode},
          ${change.providerSubscriptionId}, ${change.type}, 'open', ${change.timing}, ${change.fromPriceId},
          ${change.fromQuantity}, ${change.toPriceId}, ${change.toQuantity}, ${change.prorationDate},
          ${change.endTrial}, ${change.basis}, ${change.estimates}, ${change.effectiveAt}, ${change.url},
          ${change.successUrl}, ${change.cancelUrl}, ${change.expiresAt}, ${change.createdAt}, ${change.createdAt})`,
    );
  }

  async setUrl(id: string, url: string): Promise<void> {
    await this.db.changes(sql`UPDATE subscription_changes SET url = ${url} WHERE id = ${id}`);
  }

  /** Forgets a change whose hosted page could not be made: it was never shown to anyone. */
  async remove(id: string): Promise<void> {
    await this.db.changes(sql`DELETE FROM subscription_changes WHERE id = ${id} AND status = 'open'`);
  }

  async findBySession(sessionId: string, tx?: Transaction): Promise<ChangeRecord | undefined> {
    const row = await this.db.first(
      sql<ChangeRecord>`SELECT * FROM subscription_changes WHERE session_id = ${sessionId}`,
      tx,
    );
    return row ? normalise(row) : undefined;
  }

  /** The subscription's scheduled change (there is at most one). */
  async findScheduled(provider: string, subscriptionId: string, tx?: Transaction) {
    const row = await this.db.first(
      sql<ChangeRecord>`SELECT * FROM subscription_changes
        WHERE provider = ${provider} AND provider_subscription_id = ${subscriptionId} AND status = 'scheduled'`,
      tx,
    );
    return row ? normalise(row) : undefined;
  }

  /**
   * Takes an open, unexpired change for confirming (`applying`, with a lease), or takes over one
   * whose confirming request died (its lease ran out). Refused while another change of the same
   * subscription is being confirmed: the partial unique index holds that across instances.
   */
  async claim(sessionId: string, leaseUntil: Date): Promise<ChangeClaim> {
    const now = new Date();
    const take = (from: ReturnType<typeof sql>) =>
      this.db.first(
        sql<ChangeRecord>`UPDATE subscription_changes
            SET status = 'applying', lease_until = ${leaseUntil}, updated_at = ${now}
          WHERE session_id = ${sessionId} AND ${from}
          RETURNING *`,
      );
    try {
      // An orphan is taken over even past the checkout's expiry: its confirmation began before it.
      const opened = await take(sql`status = 'open' AND expires_at > ${now}`);
      if (opened) return { claimed: true, change: normalise(opened) };
      const orphan = await take(sql`status = 'applying' AND lease_until <= ${now}`);
      if (orphan) return { claimed: true, change: normalise(orphan) };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return { claimed: false, change: await this.findBySession(sessionId), inProgress: true };
    }
    const change = await this.findBySession(sessionId);
    return { claimed: false, change, inProgress: change?.status === 'applying' };
  }

  /**
   * Moves a change from one status to another; false when it was no longer in `from`. A change
   * leaves `applying` only by the request whose lease it holds (`lease`): one whose lease ran out
   * and was taken over can no longer move it.
   */
  async transition(
    id: string,
    from: ChangeStatus,
    to: ChangeStatus,
    fields: { scheduleId?: string | null; invoiceUrl?: string | null; lease?: Date | null } = {},
    tx?: Transaction,
  ): Promise<boolean> {
    const held = fields.lease ? sql`AND lease_until = ${fields.lease}` : sql``;
    const changed = await this.db.changes(
      sql`UPDATE subscription_changes
             SET status = ${to}, lease_until = NULL, updated_at = ${new Date()},
                 schedule_id = COALESCE(${fields.scheduleId ?? null}, schedule_id),
                 invoice_url = COALESCE(${fields.invoiceUrl ?? null}, invoice_url)
           WHERE id = ${id} AND status = ${from} ${held}`,
      tx,
    );
    return changed === 1;
  }

  /** The change that made a provider schedule, whatever became of it: the service's own schedule. */
  async findBySchedule(provider: string, scheduleId: string, tx?: Transaction) {
    const row = await this.db.first(
      sql<ChangeRecord>`SELECT * FROM subscription_changes
        WHERE provider = ${provider} AND schedule_id = ${scheduleId}
        ORDER BY created_at DESC LIMIT 1`,
      tx,
    );
    return row ? normalise(row) : undefined;
  }

  /** Ends a scheduled change by its provider schedule: applied (it took effect) or withdrawn. */
  async finishSchedule(
    provider: string,
    scheduleId: string,
    to: Extract<ChangeStatus, 'applied' | 'withdrawn'>,
    tx: Transaction,
  ): Promise<ChangeRecord[]> {
    return this.moved(
      sql`UPDATE subscription_changes SET status = ${to}, updated_at = ${new Date()}
           WHERE provider = ${provider} AND schedule_id = ${scheduleId} AND status = 'scheduled'
           RETURNING *`,
      tx,
    );
  }

  /**
   * The changes of a subscription that its reported state shows done, applied in one statement:
   * open immediate ones whose terms it now has (a person confirmed one on the provider's own
   * page, and the terms are the ones it previewed), and scheduled ones whose terms it has from a
   * period that began at or after their effective time. Open ones come first.
   */
  async settleReported(
    provider: string,
    subscriptionId: string,
    state: { priceId: string | null; quantity: number; currentPeriodStart: Date | null },
    tx: Transaction,
  ): Promise<ChangeRecord[]> {
    if (!state.priceId) return [];
    const scheduled = state.currentPeriodStart
      ? sql`OR (status = 'scheduled' AND effective_at <= ${state.currentPeriodStart})`
      : sql``;
    const moved = await this.db.rows(
      sql<ChangeRecord>`UPDATE subscription_changes
            SET status = 'applied', updated_at = ${new Date()}
          WHERE provider = ${provider} AND provider_subscription_id = ${subscriptionId}
            AND to_price_id = ${state.priceId} AND to_quantity = ${state.quantity}
            AND ((status = 'open' AND timing = 'immediate'
                  AND NOT (from_price_id = ${state.priceId} AND from_quantity = ${state.quantity}))
                 ${scheduled})
          RETURNING *`,
      tx,
    );
    // A scheduled change is always a period-end one, an open one settled here an immediate one.
    return moved
      .map(normalise)
      .sort((a, b) => Number(a.timing !== 'immediate') - Number(b.timing !== 'immediate'));
  }

  /** The account a provider schedule's change belongs to (read before the account is locked). */
  async findScheduleOwner(provider: string, scheduleId: string, tx: Transaction) {
    return this.db.first(
      sql<Pick<ChangeRecord, 'accountId' | 'mode'>>`SELECT account_id, mode FROM subscription_changes
        WHERE provider = ${provider} AND schedule_id = ${scheduleId} AND status = 'scheduled'`,
      tx,
    );
  }

  private async moved(statement: ReturnType<typeof sql<ChangeRecord>>, tx: Transaction) {
    return (await this.db.rows(statement, tx)).map(normalise);
  }
}

function normalise(row: ChangeRecord): ChangeRecord {
  return {
    ...row,
    fromQuantity: Number(row.fromQuantity),
    toQuantity: Number(row.toQuantity),
    prorationDate: toDate(row.prorationDate)!,
    effectiveAt: toDate(row.effectiveAt)!,
    expiresAt: toDate(row.expiresAt)!,
    leaseUntil: toDate(row.leaseUntil),
    createdAt: toDate(row.createdAt)!,
    updatedAt: toDate(row.updatedAt)!,
  };
}
