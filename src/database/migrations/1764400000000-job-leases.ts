import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnsFor } from './column-types';

/** Jobs that one instance at a time runs (reconciliation with the provider). */
export class JobLeases1764400000000 implements MigrationInterface {
  name = 'JobLeases1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'job_leases',
        columns: [
          c.varchar('name', 40, { isPrimary: true }),
          c.varchar('holder', 40, { isNullable: true }),
          c.timestamp('lease_until', { isNullable: true }),
          c.timestamp('last_finished_at', { isNullable: true }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('job_leases');
  }
}
