import { SqlTemplate, statementName } from './sql-template';

describe(SqlTemplate.name, () => {
  const identity = (value: unknown) => value;

  it('should number PostgreSQL parameters, binding a repeated name once', () => {
    const sut = SqlTemplate.of('SELECT * FROM t WHERE a = :a AND b = :b OR a2 = :a');

    expect(sut.bind({ a: 1, b: 'x' }, 'postgres', identity)).toEqual({
      text: 'SELECT * FROM t WHERE a = $1 AND b = $2 OR a2 = $1',
      values: [1, 'x'],
    });
  });

  it('should give SQLite one ? per occurrence, and spread lists', () => {
    const sut = SqlTemplate.of('SELECT * FROM t WHERE a = :a AND s IN (:...list) AND c = :a');

    expect(sut.bind({ a: 7, list: ['p', 'q'] }, 'sqlite', identity)).toEqual({
      text: 'SELECT * FROM t WHERE a = ? AND s IN (?, ?) AND c = ?',
      values: [7, 'p', 'q', 7],
    });
  });

  it('should leave PostgreSQL casts alone and convert values with the given function', () => {
    const sut = SqlTemplate.of('SELECT :when::text AS w');

    expect(sut.bind({ when: new Date(0) }, 'postgres', (value) => (value as Date).toISOString())).toEqual({
      text: 'SELECT $1::text AS w',
      values: ['1970-01-01T00:00:00.000Z'],
    });
  });

  it('should refuse a parameter without a value, and an empty list', () => {
    expect(() => SqlTemplate.of('SELECT :missing').bind({}, 'postgres', identity)).toThrow(/:missing/);
    expect(() =>
      SqlTemplate.of('SELECT * WHERE x IN (:...ids)').bind({ ids: [] }, 'sqlite', identity),
    ).toThrow(/needs a list/);
  });

  it('should name a statement the same way every time, and different statements differently', () => {
    expect(statementName('SELECT 1')).toBe(statementName('SELECT 1'));
    expect(statementName('SELECT 1')).not.toBe(statementName('SELECT 2'));
  });
});
