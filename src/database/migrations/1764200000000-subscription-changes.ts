import { MigrationInterface, QueryRunner, Table, TableColumn, TableForeignKey, TableIndex } from 'typeorm';
import { columnsFor } from './column-types';

/**
 * Subscription changes: the subscription's item, period start, fixed end, schedule and pending
 * update as the provider reports them, and the change checkouts (previews confirmed at most once).
 */
export class SubscriptionChanges1764200000000 implements MigrationInterface {
  name = 'SubscriptionChanges1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.addColumns('subscriptions', [
      new TableColumn(c.varchar('item_id', 255, { isNullable: true })),
      new TableColumn(c.integer('item_count', { default: 1 })),
      new TableColumn(c.timestamp('current_period_start', { isNullable: true })),
      new TableColumn(c.timestamp('cancel_at', { isNullable: true })),
      new TableColumn(c.varchar('schedule_id', 255, { isNullable: true })),
      new TableColumn(c.timestamp('pending_update_expires_at', { isNullable: true })),
    ]);
    await queryRunner.createTable(
      new Table({
        name: 'subscription_changes',
        columns: [
          c.id(),
          c.varchar('session_id', 64),
          c.uuid('account_id'),
          c.varchar('provider', 16),
          c.varchar('mode', 8),
          c.varchar('provider_subscription_id', 255),
          c.varchar('type', 16),
          c.varchar('status', 16),
          c.varchar('timing', 16),
          c.varchar('from_price_id', 255),
          c.integer('from_quantity'),
          c.varchar('to_price_id', 255),
          c.integer('to_quantity'),
          c.timestamp('proration_date'),
          c.boolean('end_trial', { default: false }),
          c.text('basis'),
          c.text('estimates'),
          c.timestamp('effective_at'),
          c.text('url', { isNullable: true }),
          c.text('success_url'),
          c.text('cancel_url', { isNullable: true }),
          c.timestamp('expires_at'),
          c.timestamp('lease_until', { isNullable: true }),
          c.varchar('schedule_id', 255, { isNullable: true }),
          c.text('invoice_url', { isNullable: true }),
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
        ],
        indices: [
          new TableIndex({
            name: 'uq_subscription_changes_applying',
            columnNames: ['provider', 'provider_subscription_id'],
            isUnique: true,
            where: `status = 'applying'`,
          }),
          new TableIndex({
            name: 'uq_subscription_changes_scheduled',
            columnNames: ['provider', 'provider_subscription_id'],
            isUnique: true,
            where: `status = 'scheduled'`,
          }),
          new TableIndex({
            name: 'uq_subscription_changes_session',
            columnNames: ['session_id'],
            isUnique: true,
          }),
          new TableIndex({ name: 'ix_subscription_changes_account', columnNames: ['account_id'] }),
          // Webhooks settle a subscription's open changes, and previews look a schedule up.
          new TableIndex({
            name: 'ix_subscription_changes_subscription',
            columnNames: ['provider', 'provider_subscription_id', 'status'],
          }),
          new TableIndex({
            name: 'ix_subscription_changes_schedule',
            columnNames: ['provider', 'schedule_id'],
            where: 'schedule_id IS NOT NULL',
          }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_subscription_changes_account',
            columnNames: ['account_id'],
            referencedTableName: 'accounts',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('subscription_changes');
    for (const column of [
      'pending_update_expires_at',
      'schedule_id',
      'cancel_at',
      'current_period_start',
      'item_count',
      'item_id',
    ]) {
      await queryRunner.dropColumn('subscriptions', column);
    }
  }
}
