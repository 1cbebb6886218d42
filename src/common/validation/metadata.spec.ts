import { mergeMetadata, metadataProblem } from './metadata';

describe(metadataProblem.name, () => {
  const keys = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, 'v']));

  it('should accept what Stripe accepts: 49 keys besides accountId, 40-character keys, 500-character values', () => {
    expect(metadataProblem(keys(49))).toBeNull();
    expect(metadataProblem({ ...keys(49), accountId: 'caller value' })).toBeNull();
    expect(metadataProblem({ ['k'.repeat(40)]: 'v'.repeat(500) })).toBeNull();
    expect(metadataProblem({})).toBeNull();
  });

  it.each([
    ['50 keys plus the service’s accountId', keys(50), /at most 50 keys/],
    ['a 41-character key', { ['k'.repeat(41)]: 'v' }, /1 to 40 characters/],
    ['an empty key', { '': 'v' }, /1 to 40 characters/],
    ['a key with brackets', { 'a[b]': 'v' }, /square brackets/],
    ['a 501-character value', { k: 'v'.repeat(501) }, /at most 500/],
    ['a number value', { k: 1 }, /must be strings/],
    ['a nested object', { k: { a: 'b' } }, /must be strings/],
    ['an array', ['a'], /object of string values/],
    ['null', null, /object of string values/],
  ])('should refuse %s', (_label, value, message) => {
    expect(metadataProblem(value)).toMatch(message);
  });
});

describe(mergeMetadata.name, () => {
  it('should let the service’s own keys win', () => {
    expect(mergeMetadata({ accountId: 'spoofed', plan: 'pro' }, { accountId: 'real' })).toEqual({
      accountId: 'real',
      plan: 'pro',
    });
  });
});
