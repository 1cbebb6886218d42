import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../database/portable-columns';

/** A provider event that has been applied; its id makes every delivery after the first a no-op. */
@Entity('webhook_events')
export class WebhookEvent {
  @PrimaryColumn({ type: 'varchar', length: 255 })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  provider!: string;

  @Column({ type: 'varchar', length: 100 })
  type!: string;

  @TimestampColumn()
  receivedAt!: Date;
}
