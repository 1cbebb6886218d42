import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../database/portable-columns';

/**
 * A job that one instance at a time may run (reconciliation's rounds): who holds it and until
 * when, and when its last round finished, so that instances sharing a database run it once per
 * interval between them.
 */
@Entity('job_leases')
export class JobLease {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  name!: string;

  /** The holder's random id while a round runs; null between rounds. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  holder!: string | null;

  /** A holder that stops renewing (it died) loses the job at this time. */
  @TimestampColumn({ nullable: true })
  leaseUntil!: Date | null;

  @TimestampColumn({ nullable: true })
  lastFinishedAt!: Date | null;
}
