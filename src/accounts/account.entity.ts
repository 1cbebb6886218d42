import { Column, Entity, Unique } from 'typeorm';
import { TimestampColumn, UuidColumn, UuidPrimaryColumn } from '../database/portable-columns';

@Entity('accounts')
@Unique('uq_accounts_external_id', ['externalId'])
export class Account {
  @UuidPrimaryColumn()
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 320, nullable: true })
  email!: string | null;

  /** The JWT `sub` that names this account. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  externalId!: string | null;

  @Column({ type: 'boolean', default: false })
  platformAdmin!: boolean;

  /** Set when a checkout with a trial was created for the account: a trial is given once. */
  @TimestampColumn({ nullable: true })
  trialClaimedAt!: Date | null;

  /** The checkout that holds the trial while it is open; null once a subscription used it. */
  @UuidColumn({ nullable: true })
  trialCheckoutId!: string | null;

  /** The sequence number of the account's latest outbound event (0: none yet). */
  @Column({ type: 'integer', default: 0 })
  eventSequence!: number;

  @TimestampColumn()
  createdAt!: Date;
}
