import { Column, JoinColumn, ManyToOne, Entity, Unique } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { TimestampColumn, UuidColumn, UuidPrimaryColumn } from '../database/portable-columns';

/**
 * The account's customer at the payment provider, one per provider and mode. A row is claimed
 * (provider id null, lease running) before the provider is called, so racing requests on any
 * instance create one provider customer between them.
 */
@Entity('customers')
@Unique('uq_customers_account', ['accountId', 'provider', 'mode'])
@Unique('uq_customers_provider_customer', ['provider', 'mode', 'providerCustomerId'])
export class Customer {
  @UuidPrimaryColumn()
  id!: string;

  @UuidColumn()
  accountId!: string;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'fk_customers_account' })
  account?: Account;

  @Column({ type: 'varchar', length: 16 })
  provider!: string;

  @Column({ type: 'varchar', length: 8 })
  mode!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  providerCustomerId!: string | null;

  /** While the provider id is null: until when the claiming request may finish creating it. */
  @TimestampColumn({ nullable: true })
  leaseUntil!: Date | null;

  @TimestampColumn()
  createdAt!: Date;
}
