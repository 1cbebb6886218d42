import { MigrationInterface, QueryRunner, Table, TableColumn, TableForeignKey, TableIndex } from 'typeorm';
import { columnsFor } from './column-types';

/**
 * The transactional outbox: outbound events (numbered per account), the endpoints they go to and
 * one delivery per event and endpoint.
 */
export class OutboundEvents1764300000000 implements MigrationInterface {
  name = 'OutboundEvents1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.addColumn('accounts', new TableColumn(c.integer('event_sequence', { default: 0 })));
    await queryRunner.createTable(
      new Table({
        name: 'outbound_events',
        columns: [
          {
            name: 'position',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          c.varchar('id', 40),
          c.varchar('type', 48),
          c.uuid('account_id'),
          c.integer('sequence'),
          c.varchar('mode', 8),
          { name: 'tx_id', type: 'bigint', default: 0 },
          c.text('payload'),
          c.timestamp('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_outbound_events_id', columnNames: ['id'], isUnique: true }),
          new TableIndex({
            name: 'uq_outbound_events_account_sequence',
            columnNames: ['account_id', 'sequence'],
            isUnique: true,
          }),
          new TableIndex({ name: 'ix_outbound_events_feed', columnNames: ['tx_id', 'position'] }),
          new TableIndex({ name: 'ix_outbound_events_created', columnNames: ['created_at'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'event_endpoints',
        columns: [
          c.varchar('id', 40, { isPrimary: true }),
          c.text('url'),
          c.varchar('source', 8),
          c.varchar('description', 200, { isNullable: true }),
          c.varchar('secret', 128, { isNullable: true }),
          c.boolean('enabled', { default: true }),
          c.timestamp('created_at'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'event_deliveries',
        columns: [
          c.varchar('id', 40, { isPrimary: true }),
          c.integer('event_position'),
          c.varchar('endpoint_id', 40),
          c.uuid('account_id'),
          c.integer('sequence'),
          c.varchar('status', 16, { default: "'pending'" }),
          c.integer('attempts', { default: 0 }),
          c.timestamp('next_attempt_at'),
          c.timestamp('retry_until'),
          c.timestamp('lease_until', { isNullable: true }),
          c.varchar('lease_holder', 40, { isNullable: true }),
          c.integer('last_status', { isNullable: true }),
          c.varchar('last_error', 300, { isNullable: true }),
          c.timestamp('delivered_at', { isNullable: true }),
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
        ],
        indices: [
          new TableIndex({
            name: 'ix_event_deliveries_due',
            columnNames: ['endpoint_id', 'status', 'next_attempt_at'],
          }),
          // The dispatcher's "nothing earlier of this account is still on its way" check.
          new TableIndex({
            name: 'ix_event_deliveries_order',
            columnNames: ['endpoint_id', 'account_id', 'sequence'],
            where: `status = 'pending'`,
          }),
          new TableIndex({
            name: 'uq_event_deliveries_event_endpoint',
            columnNames: ['event_position', 'endpoint_id'],
            isUnique: true,
          }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_event_deliveries_endpoint',
            columnNames: ['endpoint_id'],
            referencedTableName: 'event_endpoints',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
          new TableForeignKey({
            name: 'fk_event_deliveries_event',
            columnNames: ['event_position'],
            referencedTableName: 'outbound_events',
            referencedColumnNames: ['position'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('event_deliveries');
    await queryRunner.dropTable('event_endpoints');
    await queryRunner.dropTable('outbound_events');
    await queryRunner.dropColumn('accounts', 'event_sequence');
  }
}
