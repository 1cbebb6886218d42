import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { ForbiddenError } from '../../common/errors/domain-errors';
import { loadConfig } from '../../config/load-config';
import { SameOriginPostGuard } from './same-origin-post.guard';

const PUBLIC_URL = 'https://billing.example.com';

describe(SameOriginPostGuard.name, () => {
  const sut = new SameOriginPostGuard(loadConfig({ PUBLIC_URL }));

  const allows = (method: string, headers: Record<string, string | string[]>) => {
    const context = new ExecutionContextHost([
      { method, headers: { host: 'billing.internal:3000', ...headers } },
      {},
    ]);
    try {
      return sut.canActivate(context);
    } catch (error) {
      expect(error).toBeInstanceOf(ForbiddenError);
      return false;
    }
  };

  it.each([
    ['no Origin', {}],
    ['the Origin of PUBLIC_URL', { origin: PUBLIC_URL }],
    ['the Origin of PUBLIC_URL with its default port written', { origin: 'https://billing.example.com:443' }],
    ['the Origin of the Host header', { origin: 'http://billing.internal:3000' }],
    [
      'the Origin of the Host header over https (TLS ended at a proxy)',
      { origin: 'https://billing.internal:3000' },
    ],
    ['Sec-Fetch-Site: same-origin', { 'sec-fetch-site': 'same-origin', origin: 'null' }],
    ['Sec-Fetch-Site: none', { 'sec-fetch-site': 'none' }],
    ['Sec-Fetch-Site in capitals', { 'sec-fetch-site': 'Same-Origin' }],
  ])('should let a post with %s through', (_case, headers) => {
    expect(allows('POST', headers)).toBe(true);
  });

  it.each([
    ['another Origin', { origin: 'https://evil.example' }],
    ['a subdomain of PUBLIC_URL', { origin: 'https://evil.billing.example.com' }],
    ['PUBLIC_URL over http', { origin: 'http://billing.example.com' }],
    ['the Host header on another port', { origin: 'http://billing.internal:3001' }],
    ['Origin: null', { origin: 'null' }],
    ['an Origin that does not parse', { origin: 'not an origin' }],
    ['a data: Origin', { origin: 'data:,x' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site', origin: 'https://shop.example.com' }],
    ['Sec-Fetch-Site: cross-site beside our Origin', { 'sec-fetch-site': 'cross-site', origin: PUBLIC_URL }],
    [
      'an unknown Sec-Fetch-Site and another Origin',
      { 'sec-fetch-site': 'elsewhere', origin: 'https://evil.example' },
    ],
  ])('should refuse a post with %s', (_case, headers) => {
    expect(allows('POST', headers)).toBe(false);
  });

  it('should let a cross-site GET through: reading a page changes nothing', () => {
    expect(allows('GET', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })).toBe(true);
  });
});
