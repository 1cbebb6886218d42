import { ReadinessChecks } from './readiness-checks';

describe(ReadinessChecks.name, () => {
  const up = () => Promise.resolve({ status: 'up' as const });

  it('should keep the checks in the order they were registered', () => {
    const sut = new ReadinessChecks();
    sut.register('redis', up);
    sut.register('outbox', up);

    expect(sut.all().map(([name]) => name)).toEqual(['redis', 'outbox']);
  });

  it('should refuse a name taken already, the database, and names that are not plain words', () => {
    const sut = new ReadinessChecks();
    sut.register('outbox', up);

    expect(() => sut.register('outbox', up)).toThrow(/registered already/);
    expect(() => sut.register('database', up)).toThrow(/not a readiness check name/);
    expect(() => sut.register('Out Box', up)).toThrow(/not a readiness check name/);
    expect(sut.all()).toHaveLength(1);
  });
});
