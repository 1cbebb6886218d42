import { LeaseState, underLease } from './lease';

/** A key held in memory as the database would hold it: free, claimed with a lease, or done. */
class FakeKey {
  state: 'free' | 'held' | 'done' | 'blocked' = 'free';
  leaseUntil: Date | null = null;
  result = '';
  claims = 0;
  takeOvers = 0;
  cleared = 0;

  protocol(work: () => Promise<string>, options: { deadline?: number } = {}) {
    return {
      claim: () => {
        if (this.state !== 'free') return Promise.resolve(undefined);
        this.claims++;
        this.hold();
        return Promise.resolve(() => this.finish(work));
      },
      inspect: (): Promise<LeaseState<string>> => {
        if (this.state === 'free') return Promise.resolve({ gone: true });
        if (this.state === 'done') return Promise.resolve({ done: this.result });
        if (this.state === 'blocked')
          return Promise.resolve({
            clear: () => {
              this.cleared++;
              this.state = 'free';
              return Promise.resolve();
            },
          });
        const seen = this.leaseUntil;
        return Promise.resolve({
          held: {
            leaseUntil: seen,
            takeOver: () => {
              if (this.state !== 'held' || this.leaseUntil !== seen) return Promise.resolve(undefined);
              this.takeOvers++;
              this.hold();
              return Promise.resolve(() => this.finish(work));
            },
          },
        });
      },
      deadline: options.deadline ?? Date.now() + 2_000,
      timeout: () => new Error('timed out'),
    };
  }

  hold(ms = 1_000): void {
    this.state = 'held';
    this.leaseUntil = new Date(Date.now() + ms);
  }

  private async finish(work: () => Promise<string>): Promise<string> {
    this.result = await work();
    this.state = 'done';
    return this.result;
  }
}

const after = (ms: number, value: string) => () =>
  new Promise<string>((resolve) => setTimeout(() => resolve(value), ms));

describe(underLease.name, () => {
  let key: FakeKey;

  beforeEach(() => {
    key = new FakeKey();
  });

  it('should do the work once for requests that race, and give every one its result', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => underLease(key.protocol(after(30, `result of ${i}`)))),
    );

    expect(key.claims).toBe(1);
    expect(new Set(results).size).toBe(1);
  });

  it('should take the result another request finished', async () => {
    key.state = 'done';
    key.result = 'finished before';

    await expect(underLease(key.protocol(after(0, 'not done again')))).resolves.toBe('finished before');
    expect(key.claims).toBe(0);
  });

  it('should take a claim over once its lease has run out, and only once', async () => {
    key.hold(-1);

    const results = await Promise.all([
      underLease(key.protocol(after(20, 'a'))),
      underLease(key.protocol(after(20, 'b'))),
    ]);

    expect(key.takeOvers).toBe(1);
    expect(results[0]).toBe(results[1]);
  });

  it('should wait while another request holds a live lease, then take its result', async () => {
    key.hold(5_000);
    setTimeout(() => {
      key.state = 'done';
      key.result = 'from the other request';
    }, 60);

    await expect(underLease(key.protocol(after(0, 'mine')))).resolves.toBe('from the other request');
    expect(key.claims + key.takeOvers).toBe(0);
  });

  it('should clear what stands in the way, then claim', async () => {
    key.state = 'blocked';

    await expect(underLease(key.protocol(after(0, 'after clearing')))).resolves.toBe('after clearing');
    expect(key.cleared).toBe(1);
    expect(key.claims).toBe(1);
  });

  it('should give up with the protocol’s error when the deadline passes under a live lease', async () => {
    key.hold(60_000);

    await expect(underLease(key.protocol(after(0, 'x'), { deadline: Date.now() + 80 }))).rejects.toThrow(
      'timed out',
    );
  });
});
