import { Injectable } from '@nestjs/common';
import { Db, Tx } from '../database/db.service';

@Injectable()
export class WebhookEventsRepository {
  constructor(private readonly db: Db) {}

  async exists(id: string): Promise<boolean> {
    return (await this.db.one('SELECT id FROM webhook_events WHERE id = :id', { id })) !== undefined;
  }

  /**
   * Records the event as applied, or as rejected with the reason; false when it was recorded
   * before (a redelivery).
   */
  async record(
    event: { id: string; type: string },
    provider: string,
    outcome: { outcome: 'applied' } | { outcome: 'rejected'; reason: string },
    tx: Tx,
  ): Promise<boolean> {
    const row = await this.db.one(
      `INSERT INTO webhook_events (id, provider, type, outcome, reason, received_at)
       VALUES (:id, :provider, :type, :outcome, :reason, :now)
       ON CONFLICT DO NOTHING RETURNING id`,
      {
        id: event.id,
        provider,
        type: event.type,
        outcome: outcome.outcome,
        reason: outcome.outcome === 'rejected' ? outcome.reason.slice(0, 255) : null,
        now: new Date(),
      },
      tx,
    );
    return row !== undefined;
  }
}
