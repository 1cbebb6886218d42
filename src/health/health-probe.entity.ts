import { Column, Entity } from 'typeorm';
import { TimestampColumn, UuidPrimaryColumn } from '../database/portable-columns';

/** The row the latest health check wrote (two for a moment when instances check at once). */
@Entity('health_probes')
export class HealthProbe {
  @UuidPrimaryColumn()
  id!: string;

  @TimestampColumn()
  writtenAt!: Date;

  /** Filler, so that writing the row needs room in the database (see DatabaseHealthIndicator). */
  @Column({ type: 'text' })
  payload!: string;
}
