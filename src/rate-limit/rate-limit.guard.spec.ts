import { Controller, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { ThrottlerException } from '@nestjs/throttler';
import { Principal } from '../auth/principal';
import { FixedWindowStorage } from './fixed-window.storage';
import { CredentialRateLimitGuard, IpRateLimitGuard, LimitedPerCredential } from './rate-limit.guard';

const LIMIT = 2;
const options = { throttlers: [{ name: 'default', ttl: 60_000, limit: LIMIT }] };

@Controller()
class RoutesUnderTest {
  @Get()
  @LimitedPerCredential()
  authenticated(): void {}

  @Get()
  open(): void {}
}

interface TestRequest {
  ip: string;
  headers: Record<string, string>;
  user?: Principal;
}

function principal(credentialId: string): Principal {
  return { accountId: 'account-1', scopes: new Set(), via: 'api-key', credentialId, platformAdmin: false };
}

function context(request: TestRequest, handler: 'authenticated' | 'open'): ExecutionContextHost {
  const method = RoutesUnderTest.prototype[handler];
  return new ExecutionContextHost([request, { header: () => undefined }], RoutesUnderTest, method);
}

/** Runs the guard on each request in turn; says for each whether it passed or was limited. */
async function outcomes(
  guard: IpRateLimitGuard | CredentialRateLimitGuard,
  requests: Array<[TestRequest, 'authenticated' | 'open']>,
): Promise<string[]> {
  const results: string[] = [];
  for (const [request, handler] of requests) {
    try {
      results.push((await guard.canActivate(context(request, handler))) ? 'pass' : 'refused');
    } catch (error) {
      if (!(error instanceof ThrottlerException)) throw error;
      results.push('limited');
    }
  }
  return results;
}

describe(CredentialRateLimitGuard.name, () => {
  let storage: FixedWindowStorage;
  let sut: CredentialRateLimitGuard;

  beforeEach(async () => {
    storage = new FixedWindowStorage();
    sut = new CredentialRateLimitGuard(options, storage, new Reflector());
    await sut.onModuleInit();
  });

  afterEach(() => storage.close());

  it('should count the requests of one credential together, whatever headers they came with', async () => {
    const spelled = (authorization: string): [TestRequest, 'authenticated'] => [
      { ip: '203.0.113.1', headers: { authorization }, user: principal('key-1') },
      'authenticated',
    ];

    await expect(
      outcomes(sut, [spelled('Bearer bsk_a'), spelled('bEaReR   bsk_a'), spelled('Bearer bsk_a')]),
    ).resolves.toEqual(['pass', 'pass', 'limited']);
  });

  it('should give each credential a budget of its own, from one IP', async () => {
    const from = (credentialId: string): [TestRequest, 'authenticated'] => [
      { ip: '203.0.113.1', headers: {}, user: principal(credentialId) },
      'authenticated',
    ];

    await expect(
      outcomes(sut, [from('key-1'), from('key-1'), from('key-2'), from('key-1'), from('key-2')]),
    ).resolves.toEqual(['pass', 'pass', 'pass', 'limited', 'pass']);
  });

  it('should refuse to run before authentication rather than count nobody', async () => {
    await expect(
      sut.canActivate(context({ ip: '203.0.113.1', headers: {} }, 'authenticated')),
    ).rejects.toThrow('CredentialRateLimitGuard must run after authentication');
  });
});

describe(IpRateLimitGuard.name, () => {
  let storage: FixedWindowStorage;
  let sut: IpRateLimitGuard;

  beforeEach(async () => {
    storage = new FixedWindowStorage();
    sut = new IpRateLimitGuard(options, storage, new Reflector());
    await sut.onModuleInit();
  });

  afterEach(() => storage.close());

  it('should count a route without authentication per IP, ignoring the credentials presented', async () => {
    const withKey = (key: string, ip = '203.0.113.1'): [TestRequest, 'open'] => [
      { ip, headers: { 'x-api-key': key } },
      'open',
    ];

    await expect(
      outcomes(sut, [withKey('a'), withKey('b'), withKey('c'), withKey('d', '198.51.100.9')]),
    ).resolves.toEqual(['pass', 'pass', 'limited', 'pass']);
  });

  it('should leave the routes limited per credential alone', async () => {
    const request: TestRequest = { ip: '203.0.113.1', headers: {} };

    await expect(
      outcomes(sut, [
        [request, 'authenticated'],
        [request, 'authenticated'],
        [request, 'authenticated'],
        [request, 'open'],
      ]),
    ).resolves.toEqual(['pass', 'pass', 'pass', 'pass']);
  });
});
