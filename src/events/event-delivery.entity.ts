import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { TimestampColumn, UuidColumn } from '../database/portable-columns';
import { EventEndpoint } from './event-endpoint.entity';
import { OutboundEvent } from './outbound-event.entity';

/** `pending`: to be sent (again); `delivered`: an endpoint answered 2xx; `parked`: retried until its time ran out. */
export type DeliveryStatus = 'pending' | 'delivered' | 'parked';

/**
 * One event on its way to one endpoint. A dispatcher takes a due one under a lease (so that a
 * dead instance's deliveries are taken over), one per account and endpoint at a time, in the
 * account's order.
 */
@Entity('event_deliveries')
@Index('ix_event_deliveries_due', ['endpointId', 'status', 'nextAttemptAt'])
@Index('ix_event_deliveries_order', ['endpointId', 'accountId', 'sequence'], {
  where: `status = 'pending'`,
})
@Index('uq_event_deliveries_event_endpoint', ['eventPosition', 'endpointId'], { unique: true })
export class EventDelivery {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id!: string;

  @Column({ type: 'integer' })
  eventPosition!: number;

  @ManyToOne(() => OutboundEvent, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'event_position',
    referencedColumnName: 'position',
    foreignKeyConstraintName: 'fk_event_deliveries_event',
  })
  event?: OutboundEvent;

  @Column({ type: 'varchar', length: 40 })
  endpointId!: string;

  @ManyToOne(() => EventEndpoint, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpoint_id', foreignKeyConstraintName: 'fk_event_deliveries_endpoint' })
  endpoint?: EventEndpoint;

  @UuidColumn()
  accountId!: string;

  @Column({ type: 'integer' })
  sequence!: number;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @TimestampColumn()
  nextAttemptAt!: Date;

  /** Retried until then, then parked. */
  @TimestampColumn()
  retryUntil!: Date;

  @TimestampColumn({ nullable: true })
  leaseUntil!: Date | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  leaseHolder!: string | null;

  /** What the last attempt got: an HTTP status, or none (a network error or timeout). */
  @Column({ type: 'integer', nullable: true })
  lastStatus!: number | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  lastError!: string | null;

  @TimestampColumn({ nullable: true })
  deliveredAt!: Date | null;

  @TimestampColumn()
  createdAt!: Date;

  @TimestampColumn()
  updatedAt!: Date;
}
