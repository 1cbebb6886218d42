import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../database/portable-columns';

/** A provider event that has been handled; its id makes every delivery after the first a no-op. */
@Entity('webhook_events')
export class WebhookEvent {
  @PrimaryColumn({ type: 'varchar', length: 255 })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  provider!: string;

  @Column({ type: 'varchar', length: 100 })
  type!: string;

  /** `applied`, or `rejected`: verified, but its data can never be stored (see `reason`). */
  @Column({ type: 'varchar', length: 16, default: 'applied' })
  outcome!: 'applied' | 'rejected';

  @Column({ type: 'varchar', length: 255, nullable: true })
  reason!: string | null;

  @TimestampColumn()
  receivedAt!: Date;
}
