import { CurrentSubscriptionCache } from './current-subscription-cache';
import { SubscriptionRecord } from './subscriptions.repository';

const ACCOUNT = '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const record = (quantity: number) => ({ quantity }) as SubscriptionRecord;

describe(CurrentSubscriptionCache.name, () => {
  let sut: CurrentSubscriptionCache;
  let trusted: boolean;
  let loads: number;
  const loader = (quantity: number) => () => {
    loads++;
    return Promise.resolve(record(quantity));
  };

  beforeEach(() => {
    sut = new CurrentSubscriptionCache();
    trusted = true;
    loads = 0;
    sut.trustWhile(() => trusted);
  });

  it('should answer from memory after the first read, per account and mode', async () => {
    expect(await sut.read(ACCOUNT, 'live', loader(1))).toEqual(record(1));
    expect(await sut.read(ACCOUNT, 'live', loader(2))).toEqual(record(1));
    expect(await sut.read(ACCOUNT, 'test', loader(3))).toEqual(record(3));
    expect(loads).toBe(2);
  });

  it('should keep an account without a subscription too', async () => {
    const none = () => {
      loads++;
      return Promise.resolve(null);
    };
    expect(await sut.read(ACCOUNT, 'live', none)).toBeNull();
    expect(await sut.read(ACCOUNT, 'live', none)).toBeNull();
    expect(loads).toBe(1);
  });

  it('should read again after the account was forgotten, in both modes', async () => {
    await sut.read(ACCOUNT, 'live', loader(1));
    await sut.read(ACCOUNT, 'test', loader(1));
    sut.forget(ACCOUNT);
    expect(await sut.read(ACCOUNT, 'live', loader(2))).toEqual(record(2));
    expect(await sut.read(ACCOUNT, 'test', loader(2))).toEqual(record(2));
    expect(loads).toBe(4);
  });

  it('should not keep a read that was in progress when its account was forgotten', async () => {
    let finish!: (value: SubscriptionRecord) => void;
    const slow = sut.read(ACCOUNT, 'live', () => new Promise((resolve) => (finish = resolve)));
    // The change commits (and is forgotten) while the read is on its way back with the old state.
    sut.forget(ACCOUNT);
    finish(record(1));
    expect(await slow).toEqual(record(1));
    expect(await sut.read(ACCOUNT, 'live', loader(2))).toEqual(record(2));
  });

  it('should not keep a read that was in progress when everything was cleared', async () => {
    let finish!: (value: SubscriptionRecord) => void;
    const slow = sut.read(ACCOUNT, 'live', () => new Promise((resolve) => (finish = resolve)));
    sut.clear();
    finish(record(1));
    await slow;
    expect(await sut.read(ACCOUNT, 'live', loader(2))).toEqual(record(2));
  });

  it('should go to the database every time while it is not trusted, and start empty once it is again', async () => {
    await sut.read(ACCOUNT, 'live', loader(1));
    trusted = false;
    expect(await sut.read(ACCOUNT, 'live', loader(2))).toEqual(record(2));
    expect(await sut.read(ACCOUNT, 'live', loader(3))).toEqual(record(3));
    expect(sut.size).toBe(0);
    trusted = true;
    expect(await sut.read(ACCOUNT, 'live', loader(4))).toEqual(record(4));
  });

  it('should never be used without a predicate (SQLite)', async () => {
    sut.trustWhile(null);
    await sut.read(ACCOUNT, 'live', loader(1));
    await sut.read(ACCOUNT, 'live', loader(1));
    expect(loads).toBe(2);
  });
});
