import { ListenerHeartbeat } from './listener-heartbeat';

describe(ListenerHeartbeat.name, () => {
  const BOUND_MS = 3_000;
  let now: number;
  let sut: ListenerHeartbeat;

  beforeEach(() => {
    now = 10_000;
    sut = new ListenerHeartbeat({ boundMs: BOUND_MS, clock: () => now });
  });

  it('should not vouch for the listener before it has heard a heartbeat', () => {
    sut.next();

    expect(sut.isCurrent()).toBe(false);
  });

  it('should vouch for it from hearing its heartbeat until the bound has passed since that heartbeat was sent', () => {
    const heartbeat = sut.next();
    now += 2_000;

    expect(sut.hear(heartbeat)).toBe(true);
    expect(sut.isCurrent()).toBe(true);
    now += BOUND_MS - 2_000;
    expect(sut.isCurrent()).toBe(true);
    now += 1;
    expect(sut.isCurrent()).toBe(false);
  });

  it('should go on vouching while newer heartbeats are heard', () => {
    sut.hear(sut.next());
    for (let i = 0; i < 5; i++) {
      now += 1_000;
      sut.hear(sut.next());
    }

    now += BOUND_MS;
    expect(sut.isCurrent()).toBe(true);
    now += 1;
    expect(sut.isCurrent()).toBe(false);
  });

  it('should stop vouching when heartbeats are sent but not heard (a listener that went deaf)', () => {
    sut.hear(sut.next());
    for (let i = 0; i < 4; i++) {
      now += 1_000;
      sut.next();
    }

    expect(sut.isCurrent()).toBe(false);
  });

  it('should not move back when an older heartbeat is heard after a newer one', () => {
    const older = sut.next();
    now += 1_000;
    sut.hear(sut.next());
    sut.hear(older);

    now += BOUND_MS;
    expect(sut.isCurrent()).toBe(true);
  });

  it("should take another instance's heartbeat for a heartbeat, but not vouch on it", () => {
    const other = new ListenerHeartbeat({ boundMs: BOUND_MS, clock: () => now });

    expect(sut.hear(other.next())).toBe(true);
    expect(sut.isCurrent()).toBe(false);
  });

  it('should not vouch on a heartbeat it never sent, even one shaped like its own', () => {
    const heartbeat = sut.next();
    const forged = heartbeat.replace(/\d+$/, (seq) => String(Number(seq) + 1));

    expect(sut.hear(forged)).toBe(true);
    expect(sut.isCurrent()).toBe(false);
  });

  it('should not take a revoked key id for a heartbeat', () => {
    expect(sut.hear('6f1c1a3e-9c1b-4c51-8f55-5a1e6f3b2c10')).toBe(false);
  });

  it('should forget everything on reset (a new connection), heartbeats sent before it included', () => {
    const before = sut.next();
    sut.hear(before);
    const pending = sut.next();

    sut.reset();

    expect(sut.isCurrent()).toBe(false);
    sut.hear(pending);
    expect(sut.isCurrent()).toBe(false);
    sut.hear(sut.next());
    expect(sut.isCurrent()).toBe(true);
  });

  it('should say how long ago the newest heard heartbeat was sent', () => {
    expect(sut.silentForMs()).toBe(Infinity);
    const heartbeat = sut.next();
    now += 500;
    sut.hear(heartbeat);
    now += 700;

    expect(sut.silentForMs()).toBe(1_200);
  });
});
