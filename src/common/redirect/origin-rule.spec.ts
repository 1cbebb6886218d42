import { OriginRule } from './origin-rule';

describe(OriginRule.name, () => {
  const matches = (rule: string, url: string) => OriginRule.parse(rule)!.matches(new URL(url));

  it('should match an exact origin, with the default port written or not', () => {
    expect(matches('https://app.example.com', 'https://app.example.com/welcome?x=1')).toBe(true);
    expect(matches('https://app.example.com:443', 'https://app.example.com/')).toBe(true);
    expect(matches('https://app.example.com', 'http://app.example.com/')).toBe(false);
    expect(matches('https://app.example.com', 'https://app.example.com:8443/')).toBe(false);
    expect(matches('https://app.example.com', 'https://app.example.com.evil.net/')).toBe(false);
  });

  it('should match any port with :* and any subdomain with *.', () => {
    expect(matches('http://localhost:*', 'http://localhost:5173/ok')).toBe(true);
    expect(matches('http://localhost:*', 'http://localhost/ok')).toBe(true);
    expect(matches('http://localhost:*', 'http://localhost.evil.net:80/')).toBe(false);
    expect(matches('https://*.example.com', 'https://shop.example.com/')).toBe(true);
    expect(matches('https://*.example.com', 'https://example.com/')).toBe(false);
    expect(matches('https://*.example.com', 'https://example.com.evil.net/')).toBe(false);
  });

  it('should not parse rules that are not http(s) origins', () => {
    for (const text of [
      'localhost:3000',
      'ftp://files.example.com',
      'https://app.example.com/path',
      'https://',
      '*',
    ]) {
      expect(OriginRule.parse(text)).toBeNull();
    }
  });
});
