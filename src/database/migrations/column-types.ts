import { QueryRunner, TableColumnOptions } from 'typeorm';
import { Dialect, DIALECT_COLUMN_TYPES } from '../portable-columns';

/** Column builders for migrations, with the same per-dialect types the entities get. */
export function columnsFor(queryRunner: QueryRunner) {
  const dialect: Dialect = queryRunner.connection.driver.options.type === 'postgres' ? 'postgres' : 'sqlite';
  const types = DIALECT_COLUMN_TYPES[dialect];
  const uuid = (name: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
    name,
    type: types.uuid.type,
    length: types.uuid.length,
    ...extra,
  });
  return {
    id: (): TableColumnOptions => uuid('id', { isPrimary: true }),
    uuid,
    timestamp: (name: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
      name,
      type: types.timestamp.type,
      ...extra,
    }),
    varchar: (name: string, length: number, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      ...extra,
    }),
    integer: (name: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
      name,
      type: 'integer',
      ...extra,
    }),
    boolean: (
      name: string,
      extra: Omit<Partial<TableColumnOptions>, 'default'> & { default?: boolean } = {},
    ): TableColumnOptions => ({
      name,
      type: 'boolean',
      ...extra,
      // SQLite keeps booleans as 0/1, and TypeORM compares defaults in that form.
      ...(extra.default === undefined
        ? {}
        : { default: dialect === 'postgres' ? extra.default : extra.default ? '1' : '0' }),
    }),
    text: (name: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
      name,
      type: 'text',
      ...extra,
    }),
  };
}
