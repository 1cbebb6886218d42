import { Injectable } from '@nestjs/common';
import { Db, Tx } from '../database/db.service';

@Injectable()
export class WebhookEventsRepository {
  constructor(private readonly db: Db) {}

  async exists(id: string): Promise<boolean> {
    return (await this.db.one('SELECT id FROM webhook_events WHERE id = :id', { id })) !== undefined;
  }

  /** Records the event as applied; false when it was recorded before (a redelivery). */
  async record(event: { id: string; type: string }, provider: string, tx: Tx): Promise<boolean> {
    const row = await this.db.one(
      `INSERT INTO webhook_events (id, provider, type, received_at) VALUES (:id, :provider, :type, :now)
       ON CONFLICT DO NOTHING RETURNING id`,
      { id: event.id, provider, type: event.type, now: new Date() },
      tx,
    );
    return row !== undefined;
  }
}
