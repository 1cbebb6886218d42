import { Column, ColumnOptions, getMetadataArgsStorage, PrimaryColumn } from 'typeorm';
import { ColumnMetadataArgs } from 'typeorm/metadata-args/ColumnMetadataArgs';

export type Dialect = 'postgres' | 'sqlite';

type PortableKind = 'timestamp' | 'uuid';

/** The column type each portable kind has on each database. Migrations use the same table. */
export const DIALECT_COLUMN_TYPES: Record<
  Dialect,
  Record<PortableKind, { type: string; length?: string }>
> = {
  postgres: { timestamp: { type: 'timestamptz' }, uuid: { type: 'uuid' } },
  sqlite: { timestamp: { type: 'datetime' }, uuid: { type: 'varchar', length: '36' } },
};

const portableColumns: Array<{ args: ColumnMetadataArgs; kind: PortableKind }> = [];

function portable(kind: PortableKind, decorator: PropertyDecorator): PropertyDecorator {
  return (target, propertyName) => {
    decorator(target, propertyName);
    const args = getMetadataArgsStorage()
      .columns.filter(
        (column) => column.target === target.constructor && column.propertyName === propertyName,
      )
      .at(-1);
    if (args) portableColumns.push({ args, kind });
  };
}

/**
 * TypeORM keeps entity metadata globally and checks column types against the driver, while
 * PostgreSQL and SQLite name their time and uuid types differently. The type of each portable
 * column is therefore chosen when a data source is built for a dialect.
 */
export function applyDialectColumnTypes(dialect: Dialect): void {
  for (const { args, kind } of portableColumns) {
    const { type, length } = DIALECT_COLUMN_TYPES[dialect][kind];
    args.options.type = type as ColumnOptions['type'];
    args.options.length = length;
  }
}

export const TimestampColumn = (options: ColumnOptions = {}): PropertyDecorator =>
  portable('timestamp', Column({ ...options, type: 'timestamptz' }));

export const UuidColumn = (options: ColumnOptions = {}): PropertyDecorator =>
  portable('uuid', Column({ ...options, type: 'uuid' }));

export const UuidPrimaryColumn = (): PropertyDecorator => portable('uuid', PrimaryColumn({ type: 'uuid' }));
