import { MAX_URL_LENGTH, normalizeRedirectUrl } from './redirect-url';

describe(normalizeRedirectUrl.name, () => {
  it.each([
    [
      'non-ASCII characters, percent-encoded',
      'http://localhost:5173/café/€?q=ü#ç',
      'http://localhost:5173/caf%C3%A9/%E2%82%AC?q=%C3%BC#%C3%A7',
    ],
    [
      'a backslash before @, read as a path',
      'http://localhost:5173\\@evil.com',
      'http://localhost:5173/@evil.com',
    ],
    [
      'an upper-case scheme and host, a default port',
      'HTTPS://App.Example.COM:443',
      'https://app.example.com/',
    ],
    ['dot segments', 'https://app.example.com/a/../b/./c', 'https://app.example.com/b/c'],
  ])('should serialise %s as WHATWG URL does', (_case, value, expected) => {
    expect(normalizeRedirectUrl(value)).toBe(expected);
  });

  it('should keep every {CHECKOUT_SESSION_ID} placeholder literal, in the path, the query and the fragment', () => {
    const sut = normalizeRedirectUrl(
      'https://app.example.com/é/{CHECKOUT_SESSION_ID}?id={CHECKOUT_SESSION_ID}#{CHECKOUT_SESSION_ID}',
    );

    expect(sut).toBe(
      'https://app.example.com/%C3%A9/{CHECKOUT_SESSION_ID}?id={CHECKOUT_SESSION_ID}#{CHECKOUT_SESSION_ID}',
    );
  });

  it('should keep a placeholder in the host literal too, not lower-cased', () => {
    expect(normalizeRedirectUrl('https://{CHECKOUT_SESSION_ID}.Example.com/é')).toBe(
      'https://{CHECKOUT_SESSION_ID}.example.com/%C3%A9',
    );
  });

  it('should leave other braces to the encoder, and a caller-written %7B…%7D as written', () => {
    expect(normalizeRedirectUrl('https://app.example.com/{x}/%7BCHECKOUT_SESSION_ID%7D')).toBe(
      'https://app.example.com/%7Bx%7D/%7BCHECKOUT_SESSION_ID%7D',
    );
  });

  it('should give the same text for a URL already normalised', () => {
    const once = normalizeRedirectUrl('http://localhost:5173/done/{CHECKOUT_SESSION_ID}/é?x=ü')!;

    expect(normalizeRedirectUrl(once)).toBe(once);
  });

  it('should refuse a URL whose percent-encoded form is longer than the limit', () => {
    const prefix = 'https://app.example.com/';
    const fits = `${prefix}${'a'.repeat(MAX_URL_LENGTH - prefix.length)}`;
    const grows = `${prefix}${'é'.repeat(MAX_URL_LENGTH / 3)}`;

    expect(normalizeRedirectUrl(fits)).toBe(fits);
    expect(grows.length).toBeLessThan(MAX_URL_LENGTH);
    expect(normalizeRedirectUrl(grows)).toBeNull();
  });

  it.each([
    ['a relative URL', '/welcome'],
    ['credentials', 'https://user:pass@app.example.com/'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a space', 'https://app.example.com/a b'],
    ['a number', 42],
  ])('should refuse %s', (_case, value) => {
    expect(normalizeRedirectUrl(value)).toBeNull();
  });
});
