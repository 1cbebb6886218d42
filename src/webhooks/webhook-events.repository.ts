import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Database, Transaction } from '../database/database';

@Injectable()
export class WebhookEventsRepository {
  constructor(private readonly db: Database) {}

  async exists(id: string): Promise<boolean> {
    return (await this.db.first(sql`SELECT id FROM webhook_events WHERE id = ${id}`)) !== undefined;
  }

  /**
   * Records the event as applied, or as rejected with the reason; false when it was recorded
   * before (a redelivery).
   */
  async record(
    event: { id: string; type: string },
    provider: string,
    outcome: { outcome: 'applied' } | { outcome: 'rejected'; reason: string },
    tx: Transaction,
  ): Promise<boolean> {
    const reason = outcome.outcome === 'rejected' ? outcome.reason.slice(0, 255) : null;
    const row = await this.db.first(
      sql`INSERT INTO webhook_events (id, provider, type, outcome, reason, received_at)
          VALUES (${event.id}, ${provider}, ${event.type}, ${outcome.outcome}, ${reason}, ${new Date()})
          ON CONFLICT DO NOTHING RETURNING id`,
      tx,
    );
    return row !== undefined;
  }
}
