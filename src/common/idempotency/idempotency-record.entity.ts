import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn, UuidColumn } from '../../database/portable-columns';

/**
 * The first answer to a POST made with an `Idempotency-Key`, kept for 24 hours per account and
 * key (guarantee 7, docs/guarantees.md#g7). While the first request runs, the row is a claim with a lease.
 */
@Entity('idempotency_keys')
@Index('ix_idempotency_keys_expires', ['expiresAt'])
export class IdempotencyRecord {
  @UuidColumn({ primary: true })
  accountId!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  key!: string;

  /** SHA-256 of the method, path, acting account and body: what "the same request" means. */
  @Column({ type: 'varchar', length: 64 })
  requestHash!: string;

  @Column({ type: 'integer', nullable: true })
  responseStatus!: number | null;

  @Column({ type: 'text', nullable: true })
  responseBody!: string | null;

  @TimestampColumn({ nullable: true })
  leaseUntil!: Date | null;

  @TimestampColumn()
  createdAt!: Date;

  @TimestampColumn()
  expiresAt!: Date;
}
