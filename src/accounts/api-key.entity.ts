import { Column, JoinColumn, ManyToOne, Entity, Index } from 'typeorm';
import { Account } from './account.entity';
import { TimestampColumn, UuidColumn, UuidPrimaryColumn } from '../database/portable-columns';

/** An API key. Only a SHA-256 hash of its secret part is stored; the key is shown once. */
@Entity('api_keys')
export class ApiKey {
  @UuidPrimaryColumn()
  id!: string;

  @Index('ix_api_keys_account')
  @UuidColumn()
  accountId!: string;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'fk_api_keys_account' })
  account?: Account;

  @Column({ type: 'varchar', length: 64 })
  secretHash!: string;

  /** Space separated, as in a JWT `scope` claim. */
  @Column({ type: 'varchar', length: 200, default: '' })
  scopes!: string;

  @TimestampColumn()
  createdAt!: Date;

  @TimestampColumn({ nullable: true })
  expiresAt!: Date | null;

  @TimestampColumn({ nullable: true })
  revokedAt!: Date | null;
}
