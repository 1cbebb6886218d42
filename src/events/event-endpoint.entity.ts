import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../database/portable-columns';

/**
 * Where outbound events go. `config` endpoints come from EVENT_ENDPOINTS (their secret stays in
 * the configuration); `api` endpoints were added by a platform admin (their secret is kept here,
 * for signing, and shown once).
 */
@Entity('event_endpoints')
export class EventEndpoint {
  /** `ep_…`: for a configured endpoint, derived from its URL, so every instance names it alike. */
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id!: string;

  @Column({ type: 'text' })
  url!: string;

  @Column({ type: 'varchar', length: 8 })
  source!: 'config' | 'api';

  @Column({ type: 'varchar', length: 200, nullable: true })
  description!: string | null;

  /** `api` endpoints only. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  secret!: string | null;

  /** New events get a delivery to enabled endpoints only. */
  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @TimestampColumn()
  createdAt!: Date;
}
