import { credentialHint } from './credential-hints';

const KEY = `bsk_${'0'.repeat(32)}_${'k'.repeat(43)}`;

describe(credentialHint.name, () => {
  it.each<[string, Record<string, string>, RegExp]>([
    ['the key in api-key', { 'api-key': KEY }, /x-api-key header \(this request sent api-key\)$/],
    ['the key in x-api-token', { 'x-api-token': KEY }, /this request sent x-api-token/],
    ['the key alone in Authorization', { authorization: KEY }, /^Authorization needs the scheme/],
    [
      'a Basic credential',
      { authorization: 'Basic dXNlcjpwYXNz' },
      /^Authorization takes the Bearer scheme only/,
    ],
    ['"Bearer " in x-api-key', { 'x-api-key': `Bearer ${KEY}` }, /^x-api-key takes the key alone/],
    ['"bearer" in any case in x-api-key', { 'x-api-key': `BEARER ${KEY}` }, /^x-api-key takes the key alone/],
  ])('should hint for %s, without repeating the value', (_label, headers, hint) => {
    const text = credentialHint(headers);

    expect(text).toMatch(hint);
    expect(text).not.toContain(KEY.slice(4, 20));
    expect(text).not.toContain('dXNlcjpwYXNz');
  });

  it.each<[string, Record<string, string>]>([
    ['no credential at all', {}],
    ['a key in x-api-key', { 'x-api-key': KEY }],
    ['a Bearer credential', { authorization: `Bearer ${KEY}` }],
    ['a lower-case bearer credential', { authorization: `bearer ${KEY}` }],
    ['a right header beside a near miss', { 'x-api-key': KEY, 'api-key': KEY }],
    ['an unrelated header', { 'x-api-version': '1' }],
  ])('should give no hint for %s', (_label, headers) => {
    expect(credentialHint(headers)).toBeUndefined();
  });
});
