import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn, UuidColumn } from '../database/portable-columns';

/**
 * An outbound event: written in the same transaction as the change it tells of (a transactional
 * outbox), numbered per account (`sequence`) and, for the pull feed, ordered by the transaction
 * that wrote it and its position in it.
 */
@Entity('outbound_events')
@Index('uq_outbound_events_id', ['id'], { unique: true })
@Index('uq_outbound_events_account_sequence', ['accountId', 'sequence'], { unique: true })
@Index('ix_outbound_events_feed', ['txId', 'position'])
@Index('ix_outbound_events_created', ['createdAt'])
export class OutboundEvent {
  /** Insertion order; with `txId`, the order of the pull feed. */
  @PrimaryGeneratedColumn({ type: 'integer' })
  position!: number;

  /** The id consumers see (`evt_…`), also the `webhook-id` of every delivery of it. */
  @Column({ type: 'varchar', length: 40 })
  id!: string;

  @Column({ type: 'varchar', length: 48 })
  type!: string;

  @UuidColumn()
  accountId!: string;

  /** 1, 2, 3, … per account, in the order the account's changes were committed. */
  @Column({ type: 'integer' })
  sequence!: number;

  @Column({ type: 'varchar', length: 8 })
  mode!: string;

  /** PostgreSQL: the writing transaction's id (`pg_current_xact_id()`); SQLite: 0 (one writer at a time). */
  @Column({ type: 'bigint', default: 0 })
  txId!: string;

  /** The JSON body every endpoint receives. */
  @Column({ type: 'text' })
  payload!: string;

  @TimestampColumn()
  createdAt!: Date;
}
