import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { columnsFor } from './column-types';

const OPEN = `status IN ('pending', 'open')`;

/**
 * One open subscription checkout per account, provider and mode (whatever its price), and payment
 * checkouts told apart by everything their request sent to the provider (`request_hash`).
 * Subscription checkouts that were open side by side before are retired here, all but the newest:
 * their trial goes back to the account (a later checkout claims it again).
 */
export class OneOpenCheckout1764000000000 implements MigrationInterface {
  name = 'OneOpenCheckout1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.addColumn(
      'checkout_sessions',
      new TableColumn(c.varchar('request_hash', 64, { isNullable: true })),
    );
    const retired = `SELECT o.id FROM checkout_sessions o
       WHERE o.checkout_mode = 'subscription' AND o.${OPEN}
         AND EXISTS (SELECT 1 FROM checkout_sessions n
                      WHERE n.account_id = o.account_id AND n.provider = o.provider AND n.mode = o.mode
                        AND n.checkout_mode = 'subscription' AND n.${OPEN}
                        AND (n.created_at > o.created_at OR (n.created_at = o.created_at AND n.id > o.id)))`;
    await queryRunner.query(
      `UPDATE accounts SET trial_claimed_at = NULL, trial_checkout_id = NULL
        WHERE trial_checkout_id IN (${retired})`,
    );
    await queryRunner.query(
      `UPDATE checkout_sessions SET status = 'expired', lease_until = NULL WHERE id IN (${retired})`,
    );
    await queryRunner.dropIndex('checkout_sessions', 'uq_checkout_sessions_open');
    await queryRunner.createIndex(
      'checkout_sessions',
      new TableIndex({
        name: 'uq_checkout_sessions_open_subscription',
        columnNames: ['account_id', 'provider', 'mode'],
        isUnique: true,
        where: `checkout_mode = 'subscription' AND ${OPEN}`,
      }),
    );
    await queryRunner.createIndex(
      'checkout_sessions',
      new TableIndex({
        name: 'uq_checkout_sessions_open_payment',
        columnNames: ['account_id', 'provider', 'mode', 'request_hash'],
        isUnique: true,
        where: `checkout_mode = 'payment' AND ${OPEN}`,
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('checkout_sessions', 'uq_checkout_sessions_open_payment');
    await queryRunner.dropIndex('checkout_sessions', 'uq_checkout_sessions_open_subscription');
    await queryRunner.createIndex(
      'checkout_sessions',
      new TableIndex({
        name: 'uq_checkout_sessions_open',
        columnNames: ['account_id', 'provider', 'mode', 'checkout_mode', 'price_id', 'quantity'],
        isUnique: true,
        where: OPEN,
      }),
    );
    await queryRunner.dropColumn('checkout_sessions', 'request_hash');
  }
}
