import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { TimestampColumn, UuidColumn, UuidPrimaryColumn } from '../database/portable-columns';

export type ChangeType = 'plan_change' | 'quantity_update';
export type ChangeTiming = 'immediate' | 'period_end';
/**
 * `open`: previewed, waiting to be confirmed; `applying`: being confirmed (one per subscription);
 * `applied`/`scheduled`: done (now, or at period end); `withdrawn`: a scheduled change taken
 * back; `canceled`, `expired`, `stale` (the subscription changed before it was confirmed) and
 * `payment_failed` end it unapplied.
 */
export type ChangeStatus =
  | 'open'
  | 'applying'
  | 'applied'
  | 'scheduled'
  | 'withdrawn'
  | 'canceled'
  | 'expired'
  | 'stale'
  | 'payment_failed';

/**
 * A change checkout: a preview of new terms for one subscription, confirmed at most once. Partial
 * unique indexes hold the rules that span requests and instances: one change being confirmed per
 * subscription, one scheduled change per subscription.
 */
@Entity('subscription_changes')
@Index('uq_subscription_changes_applying', ['provider', 'providerSubscriptionId'], {
  unique: true,
  where: `status = 'applying'`,
})
@Index('uq_subscription_changes_scheduled', ['provider', 'providerSubscriptionId'], {
  unique: true,
  where: `status = 'scheduled'`,
})
@Index('uq_subscription_changes_session', ['sessionId'], { unique: true })
@Index('ix_subscription_changes_account', ['accountId'])
@Index('ix_subscription_changes_subscription', ['provider', 'providerSubscriptionId', 'status'])
@Index('ix_subscription_changes_schedule', ['provider', 'scheduleId'], { where: 'schedule_id IS NOT NULL' })
export class SubscriptionChange {
  @UuidPrimaryColumn()
  id!: string;

  /** The id callers see (`chg_…`), as `sessionId`. */
  @Column({ type: 'varchar', length: 64 })
  sessionId!: string;

  @UuidColumn()
  accountId!: string;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'fk_subscription_changes_account' })
  account?: Account;

  @Column({ type: 'varchar', length: 16 })
  provider!: string;

  @Column({ type: 'varchar', length: 8 })
  mode!: string;

  @Column({ type: 'varchar', length: 255 })
  providerSubscriptionId!: string;

  @Column({ type: 'varchar', length: 16 })
  type!: ChangeType;

  @Column({ type: 'varchar', length: 16 })
  status!: ChangeStatus;

  @Column({ type: 'varchar', length: 16 })
  timing!: ChangeTiming;

  @Column({ type: 'varchar', length: 255 })
  fromPriceId!: string;

  @Column({ type: 'integer' })
  fromQuantity!: number;

  @Column({ type: 'varchar', length: 255 })
  toPriceId!: string;

  @Column({ type: 'integer' })
  toQuantity!: number;

  /** The moment the preview's prorations were computed for; the confirmation uses it again. */
  @TimestampColumn()
  prorationDate!: Date;

  /** The trial is ended by the change (the caller asked); otherwise a trial is kept. */
  @Column({ type: 'boolean', default: false })
  endTrial!: boolean;

  /**
   * The subscription's state the preview was made from (JSON): confirming finds it unchanged, or
   * says what changed (docs/guarantees.md#g11).
   */
  @Column({ type: 'text' })
  basis!: string;

  /** The estimates shown (JSON). */
  @Column({ type: 'text' })
  estimates!: string;

  /** When the new terms take effect: now, or the end of the current period. */
  @TimestampColumn()
  effectiveAt!: Date;

  @Column({ type: 'text', nullable: true })
  url!: string | null;

  @Column({ type: 'text' })
  successUrl!: string;

  @Column({ type: 'text', nullable: true })
  cancelUrl!: string | null;

  @TimestampColumn()
  expiresAt!: Date;

  /** While `applying`: until when the confirming request holds it (a dead one's is taken over). */
  @TimestampColumn({ nullable: true })
  leaseUntil!: Date | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  scheduleId!: string | null;

  /** The unpaid invoice of a change whose payment failed. */
  @Column({ type: 'text', nullable: true })
  invoiceUrl!: string | null;

  @TimestampColumn()
  createdAt!: Date;

  @TimestampColumn()
  updatedAt!: Date;
}
