import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { columnsFor } from './column-types';

/** Events are recorded as applied, or as rejected with the reason their data cannot be stored. */
export class WebhookEventOutcomes1764000000001 implements MigrationInterface {
  name = 'WebhookEventOutcomes1764000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.addColumns('webhook_events', [
      new TableColumn(c.varchar('outcome', 16, { default: "'applied'" })),
      new TableColumn(c.varchar('reason', 255, { isNullable: true })),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumns('webhook_events', ['reason', 'outcome']);
  }
}
