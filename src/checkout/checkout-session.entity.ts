import { Column, JoinColumn, ManyToOne, Entity, Index, Unique } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { TimestampColumn, UuidColumn, UuidPrimaryColumn } from '../database/portable-columns';

export type CheckoutStatus = 'pending' | 'open' | 'complete' | 'expired';

/**
 * A hosted checkout the service asked the provider for. Partial unique indexes hold the rule for
 * pending and open checkouts: one subscription checkout per account, provider and mode, whatever
 * its price; payment checkouts one per distinct request (`requestHash`).
 */
@Entity('checkout_sessions')
@Index('uq_checkout_sessions_open_subscription', ['accountId', 'provider', 'mode'], {
  unique: true,
  where: `checkout_mode = 'subscription' AND status IN ('pending', 'open')`,
})
@Index('uq_checkout_sessions_open_payment', ['accountId', 'provider', 'mode', 'requestHash'], {
  unique: true,
  where: `checkout_mode = 'payment' AND status IN ('pending', 'open')`,
})
@Unique('uq_checkout_sessions_provider_session', ['provider', 'providerSessionId'])
export class CheckoutSession {
  @UuidPrimaryColumn()
  id!: string;

  @UuidColumn()
  accountId!: string;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'fk_checkout_sessions_account' })
  account?: Account;

  @Column({ type: 'varchar', length: 16 })
  provider!: string;

  @Column({ type: 'varchar', length: 8 })
  mode!: string;

  @Column({ type: 'varchar', length: 16 })
  checkoutMode!: string;

  @Column({ type: 'varchar', length: 255 })
  priceId!: string;

  @Column({ type: 'integer' })
  quantity!: number;

  /** A hash of every field of the request that reaches the provider: equal hashes, same checkout. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  requestHash!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: CheckoutStatus;

  @Column({ type: 'varchar', length: 255, nullable: true })
  providerSessionId!: string | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  url!: string | null;

  /** Trial days this checkout carries (it then holds the account's one trial). */
  @Column({ type: 'integer', nullable: true })
  trialDays!: number | null;

  @TimestampColumn()
  expiresAt!: Date;

  /** While pending: until when the claiming request may finish creating it at the provider. */
  @TimestampColumn({ nullable: true })
  leaseUntil!: Date | null;

  @TimestampColumn()
  createdAt!: Date;

  @TimestampColumn()
  updatedAt!: Date;
}
