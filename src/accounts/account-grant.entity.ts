import { Entity, JoinColumn, ManyToOne, Unique } from 'typeorm';
import { Account } from './account.entity';
import { TimestampColumn, UuidColumn, UuidPrimaryColumn } from '../database/portable-columns';

/** Lets an admin account act for another account with an `admin`-scoped credential. */
@Entity('account_grants')
@Unique('uq_account_grants_admin_account', ['adminAccountId', 'accountId'])
export class AccountGrant {
  @UuidPrimaryColumn()
  id!: string;

  @UuidColumn()
  adminAccountId!: string;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'admin_account_id', foreignKeyConstraintName: 'fk_account_grants_admin_account' })
  adminAccount?: Account;

  @UuidColumn()
  accountId!: string;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'fk_account_grants_account' })
  account?: Account;

  @TimestampColumn()
  createdAt!: Date;
}
