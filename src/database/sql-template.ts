import { createHash } from 'node:crypto';

type Part = { literal: string } | { name: string; spread: boolean };

/**
 * A statement written with named parameters (`:name`, and `:...name` for a list), compiled once
 * into its placeholder form: `$1, $2, …` for PostgreSQL, `?` for SQLite. Compiling is cached per
 * statement text, so a request pays for a lookup, not a parse.
 */
export class SqlTemplate {
  private readonly parts: Part[] = [];

  private constructor(sql: string) {
    const pattern = /(::)|:(\.\.\.)?([A-Za-z_][A-Za-z0-9_]*)/g;
    let last = 0;
    for (let match = pattern.exec(sql); match; match = pattern.exec(sql)) {
      if (match[1]) continue; // a PostgreSQL cast (`::text`), not a parameter
      this.parts.push({ literal: sql.slice(last, match.index) });
      this.parts.push({ name: match[3], spread: Boolean(match[2]) });
      last = match.index + match[0].length;
    }
    this.parts.push({ literal: sql.slice(last) });
  }

  private static readonly cache = new Map<string, SqlTemplate>();

  static of(sql: string): SqlTemplate {
    let template = SqlTemplate.cache.get(sql);
    if (!template) {
      template = new SqlTemplate(sql);
      SqlTemplate.cache.set(sql, template);
    }
    return template;
  }

  /** The statement and its values, for PostgreSQL ($n, each name bound once) or SQLite (?). */
  bind(
    params: Record<string, unknown>,
    dialect: 'postgres' | 'sqlite',
    toValue: (value: unknown) => unknown,
  ): { text: string; values: unknown[] } {
    const values: unknown[] = [];
    const positions = new Map<string, number>();
    let text = '';
    const placeholder = (value: unknown, name?: string): string => {
      if (dialect === 'sqlite') {
        values.push(toValue(value));
        return '?';
      }
      if (name !== undefined && positions.has(name)) return `$${positions.get(name)}`;
      values.push(toValue(value));
      if (name !== undefined) positions.set(name, values.length);
      return `$${values.length}`;
    };
    for (const part of this.parts) {
      if ('literal' in part) {
        text += part.literal;
      } else if (!(part.name in params)) {
        throw new Error(`SQL parameter :${part.name} has no value`);
      } else if (part.spread) {
        const list = params[part.name];
        if (!Array.isArray(list) || list.length === 0)
          throw new Error(`SQL parameter :...${part.name} needs a list`);
        text += list.map((item) => placeholder(item)).join(', ');
      } else {
        text += placeholder(params[part.name], part.name);
      }
    }
    return { text, values };
  }
}

const statementNames = new Map<string, string>();

/** A short stable name for a PostgreSQL prepared statement of this text (computed once per text). */
export function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `s_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    statementNames.set(text, name);
  }
  return name;
}
