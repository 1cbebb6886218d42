import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnsFor } from './column-types';

/** The table /health writes to, to learn whether the database takes a committed write. */
export class HealthProbes1764100000000 implements MigrationInterface {
  name = 'HealthProbes1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'health_probes',
        columns: [c.id(), c.timestamp('written_at'), c.text('payload')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('health_probes');
  }
}
