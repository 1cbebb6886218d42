import { Column, JoinColumn, ManyToOne, Entity, Index, Unique } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { SubscriptionStatus } from '../payments/payment-provider';
import { TimestampColumn, UuidColumn, UuidPrimaryColumn } from '../database/portable-columns';

/** Statuses of a subscription that is live: it gives access, and a second one would be by accident. */
export const LIVE_SUBSCRIPTION_STATUSES: readonly SubscriptionStatus[] = ['active', 'trialing', 'past_due'];

/** The provider's subscription as its webhooks last described it. */

@Entity('subscriptions')
@Unique('uq_subscriptions_provider_subscription', ['provider', 'providerSubscriptionId'])
@Index('ix_subscriptions_account', ['accountId', 'mode'])
export class Subscription {
  @UuidPrimaryColumn()
  id!: string;

  @UuidColumn()
  accountId!: string;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'fk_subscriptions_account' })
  account?: Account;

  @UuidColumn({ nullable: true })
  customerId!: string | null;

  @Column({ type: 'varchar', length: 16 })
  provider!: string;

  @Column({ type: 'varchar', length: 8 })
  mode!: string;

  @Column({ type: 'varchar', length: 255 })
  providerSubscriptionId!: string;

  /** Mapped from the provider's own status by its adapter. */
  @Column({ type: 'varchar', length: 32 })
  status!: SubscriptionStatus;

  /** The provider's id of the subscription's (first) item: what a change replaces. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  itemId!: string | null;

  @Column({ type: 'integer', default: 1 })
  itemCount!: number;

  @Column({ type: 'varchar', length: 255, nullable: true })
  priceId!: string | null;

  @Column({ type: 'integer', default: 1 })
  quantity!: number;

  @TimestampColumn({ nullable: true })
  trialEnd!: Date | null;

  @TimestampColumn({ nullable: true })
  currentPeriodStart!: Date | null;

  @TimestampColumn({ nullable: true })
  currentPeriodEnd!: Date | null;

  @Column({ type: 'boolean', default: false })
  cancelAtPeriodEnd!: boolean;

  @TimestampColumn({ nullable: true })
  cancelAt!: Date | null;

  /** The provider's subscription schedule that controls it, when one does. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  scheduleId!: string | null;

  /** A change waiting for its payment at the provider: when it lapses. */
  @TimestampColumn({ nullable: true })
  pendingUpdateExpiresAt!: Date | null;

  /** When the provider produced the state stored here; older news is not applied over it. */
  @TimestampColumn()
  providerUpdatedAt!: Date;

  @TimestampColumn()
  createdAt!: Date;

  @TimestampColumn()
  updatedAt!: Date;
}
