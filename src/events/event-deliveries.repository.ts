import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Database, toDate } from '../database/database';
import { DeliveryStatus, EventDelivery } from './event-delivery.entity';

/** A delivery taken for sending, with the event it carries. */
export interface ClaimedDelivery {
  id: string;
  eventId: string;
  attempts: number;
  retryUntil: Date;
  payload: string;
}

export type DeliveryRecord = Pick<
  EventDelivery,
  | 'id'
  | 'endpointId'
  | 'accountId'
  | 'sequence'
  | 'status'
  | 'attempts'
  | 'nextAttemptAt'
  | 'retryUntil'
  | 'lastStatus'
  | 'lastError'
  | 'deliveredAt'
  | 'createdAt'
> & { eventId: string; eventType: string };

/** A delivery with its event's id and type, as admins see it. */
const DELIVERY = sql.raw(`SELECT d.id, d.endpoint_id, d.account_id, d.sequence, d.status, d.attempts,
       d.next_attempt_at, d.retry_until, d.last_status, d.last_error, d.delivered_at, d.created_at,
       e.id AS event_id, e.type AS event_type
  FROM event_deliveries d JOIN outbound_events e ON e.position = d.event_position`);

/** What waits to be delivered to one endpoint. */
export interface Backlog {
  endpointId: string;
  pending: number;
  parked: number;
  oldestPendingAt: Date | null;
}

/**
 * The deliveries. Taking one is a compare-and-set under a lease, so that one instance at a time
 * sends it and a dead instance's deliveries are taken over once its lease runs out; on PostgreSQL
 * the candidates are locked with `FOR UPDATE SKIP LOCKED`, so instances never wait for each other.
 * A delivery is a candidate only when no earlier event of the same account is still pending for
 * the same endpoint: each account's events arrive in order.
 */
@Injectable()
export class EventDeliveriesRepository {
  constructor(private readonly db: Database) {}

  async claim(
    endpointId: string,
    holder: string,
    options: { limit: number; leaseMs: number },
  ): Promise<ClaimedDelivery[]> {
    const now = new Date();
    const leaseUntil = new Date(now.getTime() + options.leaseMs);
    const skipLocked = this.db.dialect === 'postgres' ? sql`FOR UPDATE SKIP LOCKED` : sql``;
    const taken = await this.db.rows(
      sql<{ id: string; attempts: unknown; retryUntil: unknown; eventPosition: unknown }>`
        UPDATE event_deliveries
           SET lease_until = ${leaseUntil}, lease_holder = ${holder}, attempts = attempts + 1, updated_at = ${now}
         WHERE id IN (
           SELECT c.id FROM event_deliveries c
            WHERE c.endpoint_id = ${endpointId} AND c.status = 'pending' AND c.next_attempt_at <= ${now}
              AND (c.lease_until IS NULL OR c.lease_until < ${now})
              AND NOT EXISTS (
                SELECT 1 FROM event_deliveries p
                 WHERE p.endpoint_id = c.endpoint_id AND p.account_id = c.account_id
                   AND p.status = 'pending' AND p.sequence < c.sequence)
            ORDER BY c.next_attempt_at, c.sequence
            LIMIT ${options.limit}
            ${skipLocked})
           AND status = 'pending' AND (lease_until IS NULL OR lease_until < ${now})
        RETURNING id, attempts, retry_until, event_position`,
    );
    if (taken.length === 0) return [];
    const events = await this.db.rows(
      sql<{
        position: unknown;
        id: string;
        payload: string;
      }>`SELECT position, id, payload FROM outbound_events
        WHERE position IN (${sql.join(taken.map((row) => Number(row.eventPosition)))})`,
    );
    const byPosition = new Map(events.map((event) => [Number(event.position), event]));
    return taken.map((row) => {
      const event = byPosition.get(Number(row.eventPosition))!;
      return {
        id: row.id,
        eventId: event.id,
        attempts: Number(row.attempts),
        retryUntil: toDate(row.retryUntil)!,
        payload: event.payload,
      };
    });
  }

  async delivered(id: string, holder: string, status: number): Promise<void> {
    const now = new Date();
    await this.db.changes(
      sql`UPDATE event_deliveries
             SET status = 'delivered', delivered_at = ${now}, last_status = ${status}, last_error = NULL,
                 lease_until = NULL, lease_holder = NULL, updated_at = ${now}
           WHERE id = ${id} AND status = 'pending' AND lease_holder = ${holder}`,
    );
  }

  /** A failed attempt: tried again at `nextAttemptAt`, or parked when that is past its time. */
  async failed(
    id: string,
    holder: string,
    outcome: { status: number | null; error: string; nextAttemptAt: Date | null },
  ): Promise<void> {
    const now = new Date();
    const next = outcome.nextAttemptAt;
    await this.db.changes(
      sql`UPDATE event_deliveries
             SET status = ${next ? 'pending' : 'parked'}, next_attempt_at = COALESCE(${next}, next_attempt_at),
                 last_status = ${outcome.status}, last_error = ${outcome.error.slice(0, 300)},
                 lease_until = NULL, lease_holder = NULL, updated_at = ${now}
           WHERE id = ${id} AND status = 'pending' AND lease_holder = ${holder}`,
    );
  }

  async list(filter: {
    status?: DeliveryStatus;
    endpointId?: string;
    limit: number;
  }): Promise<DeliveryRecord[]> {
    const rows = await this.db.rows(
      sql<DeliveryRecord>`${DELIVERY}
        WHERE 1 = 1
          ${filter.status ? sql`AND d.status = ${filter.status}` : sql``}
          ${filter.endpointId ? sql`AND d.endpoint_id = ${filter.endpointId}` : sql``}
        ORDER BY d.created_at DESC, d.id
        LIMIT ${filter.limit}`,
    );
    return rows.map(normalise);
  }

  /**
   * Sends a parked delivery again, with a fresh retry window; its `webhook-id` stays the event's.
   * Undefined when there is no such delivery; the record as it is when it is not parked.
   */
  async replay(id: string, retryForMs: number): Promise<{ replayed: boolean } | undefined> {
    const now = new Date();
    const changed = await this.db.changes(
      sql`UPDATE event_deliveries
             SET status = 'pending', attempts = 0, next_attempt_at = ${now},
                 retry_until = ${new Date(now.getTime() + retryForMs)}, updated_at = ${now}
           WHERE id = ${id} AND status = 'parked'`,
    );
    if (changed === 1) return { replayed: true };
    const exists = await this.db.first(sql`SELECT id FROM event_deliveries WHERE id = ${id}`);
    return exists ? { replayed: false } : undefined;
  }

  async find(id: string): Promise<DeliveryRecord | undefined> {
    const row = await this.db.first(
      sql<DeliveryRecord>`${DELIVERY}
        WHERE d.id = ${id}`,
    );
    return row && normalise(row);
  }

  /** Pending and parked deliveries per endpoint, and the oldest pending one's age. */
  async backlog(): Promise<Backlog[]> {
    const rows = await this.db.rows(
      sql<{ endpointId: string; pending: unknown; parked: unknown; oldestPendingAt: unknown }>`
        SELECT endpoint_id,
               SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS pending,
               SUM(CASE WHEN status = 'parked' THEN 1 ELSE 0 END) AS parked,
               MIN(CASE WHEN status = 'pending' THEN created_at END) AS oldest_pending_at
          FROM event_deliveries WHERE status <> 'delivered'
         GROUP BY endpoint_id`,
    );
    return rows.map((row) => ({
      endpointId: row.endpointId,
      pending: Number(row.pending),
      parked: Number(row.parked),
      oldestPendingAt: toDate(row.oldestPendingAt),
    }));
  }

  /**
   * Forgets events older than `before` that nothing waits to send (their deliveries go with
   * them): the pull feed keeps the retention time's worth.
   */
  async prune(before: Date): Promise<number> {
    return this.db.changes(
      sql`DELETE FROM outbound_events
           WHERE created_at < ${before}
             AND NOT EXISTS (SELECT 1 FROM event_deliveries d
                              WHERE d.event_position = outbound_events.position AND d.status = 'pending')`,
    );
  }
}

function normalise(row: DeliveryRecord): DeliveryRecord {
  return {
    ...row,
    sequence: Number(row.sequence),
    attempts: Number(row.attempts),
    lastStatus: row.lastStatus === null ? null : Number(row.lastStatus),
    nextAttemptAt: toDate(row.nextAttemptAt)!,
    retryUntil: toDate(row.retryUntil)!,
    deliveredAt: toDate(row.deliveredAt),
    createdAt: toDate(row.createdAt)!,
  };
}
