import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../../database/portable-columns';

/** The sandbox provider's own objects (customers, sessions, subscriptions, invoices) as JSON. */
@Entity('sandbox_objects')
@Index('ix_sandbox_objects_kind_owner', ['kind', 'owner'])
export class SandboxObject {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 32 })
  kind!: string;

  /** The customer (or other parent object) the object belongs to. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  owner!: string | null;

  @Column({ type: 'text' })
  data!: string;

  @TimestampColumn()
  createdAt!: Date;
}
