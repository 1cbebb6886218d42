import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex, TableUnique } from 'typeorm';
import { columnsFor } from './column-types';

const accountForeignKey = (name: string, columnName = 'account_id') =>
  new TableForeignKey({
    name,
    columnNames: [columnName],
    referencedTableName: 'accounts',
    referencedColumnNames: ['id'],
    onDelete: 'CASCADE',
  });

export class InitialSchema1763700000000 implements MigrationInterface {
  name = 'InitialSchema1763700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);

    await queryRunner.createTable(
      new Table({
        name: 'accounts',
        columns: [
          c.id(),
          c.varchar('name', 200),
          c.varchar('email', 320, { isNullable: true }),
          c.varchar('external_id', 255, { isNullable: true }),
          c.boolean('platform_admin', { default: false }),
          c.timestamp('trial_claimed_at', { isNullable: true }),
          c.uuid('trial_checkout_id', { isNullable: true }),
          c.timestamp('created_at'),
        ],
        uniques: [new TableUnique({ name: 'uq_accounts_external_id', columnNames: ['external_id'] })],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          c.id(),
          c.uuid('account_id'),
          c.varchar('secret_hash', 64),
          c.varchar('scopes', 200, { default: "''" }),
          c.timestamp('created_at'),
          c.timestamp('expires_at', { isNullable: true }),
          c.timestamp('revoked_at', { isNullable: true }),
        ],
        indices: [new TableIndex({ name: 'ix_api_keys_account', columnNames: ['account_id'] })],
        foreignKeys: [accountForeignKey('fk_api_keys_account')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'account_grants',
        columns: [c.id(), c.uuid('admin_account_id'), c.uuid('account_id'), c.timestamp('created_at')],
        uniques: [
          new TableUnique({
            name: 'uq_account_grants_admin_account',
            columnNames: ['admin_account_id', 'account_id'],
          }),
        ],
        foreignKeys: [
          accountForeignKey('fk_account_grants_admin_account', 'admin_account_id'),
          accountForeignKey('fk_account_grants_account'),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'customers',
        columns: [
          c.id(),
          c.uuid('account_id'),
          c.varchar('provider', 16),
          c.varchar('mode', 8),
          c.varchar('provider_customer_id', 255, { isNullable: true }),
          c.timestamp('lease_until', { isNullable: true }),
          c.timestamp('created_at'),
        ],
        uniques: [
          new TableUnique({ name: 'uq_customers_account', columnNames: ['account_id', 'provider', 'mode'] }),
          new TableUnique({
            name: 'uq_customers_provider_customer',
            columnNames: ['provider', 'mode', 'provider_customer_id'],
          }),
        ],
        foreignKeys: [accountForeignKey('fk_customers_account')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'checkout_sessions',
        columns: [
          c.id(),
          c.uuid('account_id'),
          c.varchar('provider', 16),
          c.varchar('mode', 8),
          c.varchar('checkout_mode', 16),
          c.varchar('price_id', 255),
          c.integer('quantity'),
          c.varchar('status', 16),
          c.varchar('provider_session_id', 255, { isNullable: true }),
          c.varchar('url', 2048, { isNullable: true }),
          c.integer('trial_days', { isNullable: true }),
          c.timestamp('expires_at'),
          c.timestamp('lease_until', { isNullable: true }),
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
        ],
        uniques: [
          new TableUnique({
            name: 'uq_checkout_sessions_provider_session',
            columnNames: ['provider', 'provider_session_id'],
          }),
        ],
        indices: [
          new TableIndex({
            name: 'uq_checkout_sessions_open',
            columnNames: ['account_id', 'provider', 'mode', 'checkout_mode', 'price_id', 'quantity'],
            isUnique: true,
            where: `status IN ('pending', 'open')`,
          }),
        ],
        foreignKeys: [accountForeignKey('fk_checkout_sessions_account')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'subscriptions',
        columns: [
          c.id(),
          c.uuid('account_id'),
          c.uuid('customer_id', { isNullable: true }),
          c.varchar('provider', 16),
          c.varchar('mode', 8),
          c.varchar('provider_subscription_id', 255),
          c.varchar('status', 32),
          c.varchar('price_id', 255, { isNullable: true }),
          c.integer('quantity', { default: 1 }),
          c.timestamp('trial_end', { isNullable: true }),
          c.timestamp('current_period_end', { isNullable: true }),
          c.boolean('cancel_at_period_end', { default: false }),
          c.timestamp('provider_updated_at'),
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
        ],
        uniques: [
          new TableUnique({
            name: 'uq_subscriptions_provider_subscription',
            columnNames: ['provider', 'provider_subscription_id'],
          }),
        ],
        indices: [new TableIndex({ name: 'ix_subscriptions_account', columnNames: ['account_id', 'mode'] })],
        foreignKeys: [accountForeignKey('fk_subscriptions_account')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'webhook_events',
        columns: [
          c.varchar('id', 255, { isPrimary: true }),
          c.varchar('provider', 16),
          c.varchar('type', 100),
          c.timestamp('received_at'),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'sandbox_objects',
        columns: [
          c.varchar('id', 64, { isPrimary: true }),
          c.varchar('kind', 32),
          c.varchar('owner', 64, { isNullable: true }),
          c.text('data'),
          c.timestamp('created_at'),
        ],
        indices: [new TableIndex({ name: 'ix_sandbox_objects_kind_owner', columnNames: ['kind', 'owner'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'sandbox_objects',
      'webhook_events',
      'subscriptions',
      'checkout_sessions',
      'customers',
      'account_grants',
      'api_keys',
      'accounts',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
