import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { columnsFor } from './column-types';

export class IdempotencyKeys1763800000000 implements MigrationInterface {
  name = 'IdempotencyKeys1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'idempotency_keys',
        columns: [
          c.uuid('account_id', { isPrimary: true }),
          c.varchar('key', 255, { isPrimary: true }),
          c.varchar('request_hash', 64),
          c.integer('response_status', { isNullable: true }),
          c.text('response_body', { isNullable: true }),
          c.timestamp('lease_until', { isNullable: true }),
          c.timestamp('created_at'),
          c.timestamp('expires_at'),
        ],
        indices: [new TableIndex({ name: 'ix_idempotency_keys_expires', columnNames: ['expires_at'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('idempotency_keys');
  }
}
