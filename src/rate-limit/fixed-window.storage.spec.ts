import { FixedWindowStorage, MAX_WINDOWS } from './fixed-window.storage';

describe(FixedWindowStorage.name, () => {
  let sut: FixedWindowStorage;

  beforeEach(() => {
    sut = new FixedWindowStorage();
  });

  afterEach(() => sut.close());

  it('should count hits in a window and block past the limit until the block ends', async () => {
    const first = await sut.increment('k', 60_000, 2, 30_000, 'default');
    await sut.increment('k', 60_000, 2, 30_000, 'default');
    const third = await sut.increment('k', 60_000, 2, 30_000, 'default');

    expect(first).toMatchObject({ totalHits: 1, isBlocked: false, timeToBlockExpire: 0 });
    expect(first.timeToExpire).toBeGreaterThan(58);
    expect(third).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 30 });
  });

  it('should start a new window once the old one and its block are over', async () => {
    await sut.increment('k', 20, 1, 20, 'default');
    await sut.increment('k', 20, 1, 20, 'default');
    await new Promise((resolve) => setTimeout(resolve, 30));

    await expect(sut.increment('k', 20, 1, 20, 'default')).resolves.toMatchObject({
      totalHits: 1,
      isBlocked: false,
    });
  });

  it('should keep counters of different keys and throttlers apart', async () => {
    await sut.increment('a', 60_000, 1, 60_000, 'default');
    await sut.increment('a', 60_000, 1, 60_000, 'default');

    await expect(sut.increment('b', 60_000, 1, 60_000, 'default')).resolves.toMatchObject({
      isBlocked: false,
    });
    await expect(sut.increment('a', 60_000, 1, 60_000, 'auth-failures')).resolves.toMatchObject({
      isBlocked: false,
    });
  });

  it('should hold no more than MAX_WINDOWS counters, dropping the oldest', async () => {
    for (let i = 0; i <= MAX_WINDOWS; i++) await sut.increment(`caller-${i}`, 60_000, 10, 60_000, 'default');

    const newest = await sut.increment(`caller-${MAX_WINDOWS}`, 60_000, 10, 60_000, 'default');
    const oldest = await sut.increment('caller-0', 60_000, 10, 60_000, 'default');

    expect(newest.totalHits).toBe(2);
    expect(oldest.totalHits).toBe(1);
  });
});
