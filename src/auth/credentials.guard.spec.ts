import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import jwt from 'jsonwebtoken';
import { AccountRecord, AccountsRepository } from '../accounts/accounts.repository';
import {
  DatabaseUnavailableError,
  DomainError,
  ForbiddenError,
  UnauthorizedError,
} from '../common/errors/domain-errors';
import { AppConfig } from '../config/app-config';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { ApiKeyStrategy, BearerApiKeyStrategy } from './api-key.strategy';
import { CredentialsGuard } from './credentials.guard';
import { AuthFailureLimiter } from '../rate-limit/auth-failure.limiter';
import { ThrottlerException } from '@nestjs/throttler';
import { JwtStrategy } from './jwt.strategy';
import { Principal } from './principal';

const API_KEY = `bsk_${'0'.repeat(32)}_${'k'.repeat(43)}`;
const JWT_SECRET = 'a-test-secret-that-is-at-least-32-bytes-long';

const keyPrincipal: Principal = {
  accountId: '0b6f1c9e-3a52-4d8e-9f10-2c4b5a6d7e81',
  scopes: new Set(['admin']),
  via: 'api-key',
  credentialId: '00000000-0000-0000-0000-000000000000',
  platformAdmin: false,
};

const jwtAccount: AccountRecord = {
  id: '7d2e4f60-1b3c-4a5d-8e9f-0a1b2c3d4e5f',
  name: 'JWT account',
  email: null,
  externalId: 'auth0|someone',
  platformAdmin: true,
  trialClaimedAt: null,
};

describe(CredentialsGuard.name, () => {
  let sut: CredentialsGuard;
  let recordFailure: jest.Mock<Promise<void>, [string | undefined, unknown]>;

  beforeEach(() => {
    recordFailure = jest.fn<Promise<void>, [string | undefined, unknown]>(() => Promise.resolve());
    sut = new CredentialsGuard({ recordFailure } as unknown as AuthFailureLimiter);
  });

  describe('handleRequest', () => {
    it('should return the principal a strategy accepted', () => {
      expect(sut.handleRequest(null, keyPrincipal)).toBe(keyPrincipal);
    });

    it.each<[string, unknown]>([
      ['false', false],
      ['undefined', undefined],
      ['null', null],
    ])('should throw UnauthorizedError when the principal is %s', (_label, principal) => {
      const attempt = () => sut.handleRequest(null, principal as Principal | false);
      expect(attempt).toThrow(UnauthorizedError);
      expect(attempt).toThrow('Authentication required');
    });

    it('should not turn an error (the check broke) into a 401', () => {
      const error = new Error('connection lost');
      expect(() => sut.handleRequest(error, false)).toThrow(error);
    });

    it('should report a thrown value that is not an Error as an Error, not as a 401', () => {
      let thrown: unknown;
      try {
        sut.handleRequest('Unknown authentication strategy', false);
      } catch (caught) {
        thrown = caught;
      }
      expect(thrown).toBeInstanceOf(Error);
      expect(thrown).not.toBeInstanceOf(UnauthorizedError);
      expect((thrown as Error).message).toBe('Unknown authentication strategy');
    });

    it('should report the error even when a principal came with it', () => {
      const error = new Error('boom');
      expect(() => sut.handleRequest(error, keyPrincipal)).toThrow(error);
    });

    it.each<[string, DomainError]>([
      ['DatabaseUnavailableError', new DatabaseUnavailableError(new Error('ECONNREFUSED'))],
      ['ForbiddenError', new ForbiddenError('no')],
    ])('should let a %s through unchanged', (_label, error) => {
      expect(() => sut.handleRequest(error, false)).toThrow(error);
      expect(() => sut.handleRequest(error, keyPrincipal)).toThrow(error);
    });
  });

  describe('canActivate with the real strategies', () => {
    let authenticate: jest.Mock<Promise<Principal | null>, [string]>;
    let findByExternalId: jest.Mock<Promise<AccountRecord | null>, [string]>;

    beforeEach(() => {
      authenticate = jest.fn<Promise<Principal | null>, [string]>((presented) =>
        Promise.resolve(presented === API_KEY ? keyPrincipal : null),
      );
      findByExternalId = jest.fn<Promise<AccountRecord | null>, [string]>((sub) =>
        Promise.resolve(sub === jwtAccount.externalId ? jwtAccount : null),
      );
      const authenticator = { authenticate } as unknown as ApiKeyAuthenticator;
      const accounts = { findByExternalId } as unknown as AccountsRepository;
      const config = {
        jwt: { secret: JWT_SECRET, algorithms: ['HS256'], maxLifetimeSeconds: 3600 },
      } as AppConfig;
      // Constructing a strategy registers it with passport under its name (the last one wins).
      new ApiKeyStrategy(authenticator);
      new BearerApiKeyStrategy(authenticator);
      new JwtStrategy(config, accounts);
    });

    async function run(headers: Record<string, string>): Promise<{ user?: unknown; error?: unknown }> {
      const request: { headers: Record<string, string>; user?: unknown; ip: string } = {
        headers,
        ip: '203.0.113.7',
      };
      const context = new ExecutionContextHost([request, { header: () => undefined }]);
      try {
        expect(await sut.canActivate(context)).toBe(true);
        return { user: request.user };
      } catch (error) {
        expect(request.user).toBeUndefined();
        return { error };
      }
    }

    it('should refuse a request without a credential', async () => {
      const { error } = await run({});
      expect(error).toBeInstanceOf(UnauthorizedError);
      expect(authenticate).not.toHaveBeenCalled();
    });

    it('should count a failed authentication against the caller’s IP, and not a successful one', async () => {
      await run({ 'x-api-key': 'bsk_wrong' });
      await run({ 'x-api-key': API_KEY });

      expect(recordFailure).toHaveBeenCalledTimes(1);
      expect(recordFailure.mock.calls[0][0]).toBe('203.0.113.7');
    });

    it('should answer 429 instead of 401 once the IP has failed too often', async () => {
      recordFailure.mockRejectedValueOnce(new ThrottlerException());

      const { error } = await run({ 'x-api-key': 'bsk_wrong' });

      expect(error).toBeInstanceOf(ThrottlerException);
    });

    it('should accept a key in x-api-key and put the principal on the request', async () => {
      await expect(run({ 'x-api-key': API_KEY })).resolves.toEqual({ user: keyPrincipal });
      expect(authenticate).toHaveBeenCalledWith(API_KEY);
    });

    it('should accept a key as a Bearer value', async () => {
      await expect(run({ authorization: `Bearer ${API_KEY}` })).resolves.toEqual({ user: keyPrincipal });
    });

    it('should refuse a key the authenticator does not accept', async () => {
      const { error } = await run({ 'x-api-key': `bsk_${'1'.repeat(32)}_${'k'.repeat(43)}` });
      expect(error).toBeInstanceOf(UnauthorizedError);
    });

    it('should not hand a Bearer value that is not an API key to the API key authenticator', async () => {
      const { error } = await run({ authorization: 'Bearer not-a-key' });
      expect(error).toBeInstanceOf(UnauthorizedError);
      expect(authenticate).not.toHaveBeenCalled();
    });

    it('should accept a JWT and build the principal from its claims', async () => {
      const token = jwt.sign({ sub: jwtAccount.externalId, scope: 'openid admin' }, JWT_SECRET, {
        algorithm: 'HS256',
        expiresIn: 60,
      });
      const { user } = await run({ authorization: `Bearer ${token}` });
      expect(user).toEqual({
        accountId: jwtAccount.id,
        scopes: new Set(['openid', 'admin']),
        via: 'jwt',
        credentialId: `jwt:${jwtAccount.externalId}`,
        platformAdmin: true,
      });
    });

    it('should refuse a JWT whose subject names no account', async () => {
      const token = jwt.sign({ sub: 'auth0|nobody' }, JWT_SECRET, { algorithm: 'HS256', expiresIn: 60 });
      const { error } = await run({ authorization: `Bearer ${token}` });
      expect(error).toBeInstanceOf(UnauthorizedError);
      expect(findByExternalId).toHaveBeenCalledWith('auth0|nobody');
    });

    it('should keep the status of a failure behind the check (the database is down)', async () => {
      const outage = new DatabaseUnavailableError(new Error('ECONNREFUSED'));
      authenticate.mockRejectedValue(outage);
      const { error } = await run({ 'x-api-key': API_KEY });
      expect(error).toBe(outage);
    });

    it('should keep the status of a database failure while a JWT subject is looked up', async () => {
      const outage = new DatabaseUnavailableError(new Error('ECONNREFUSED'));
      findByExternalId.mockRejectedValue(outage);
      const token = jwt.sign({ sub: jwtAccount.externalId }, JWT_SECRET, {
        algorithm: 'HS256',
        expiresIn: 60,
      });
      const { error } = await run({ authorization: `Bearer ${token}` });
      expect(error).toBe(outage);
    });

    it('should not answer 401 for an unexpected failure of the authenticator (and not count it as a failed login)', async () => {
      const bug = new TypeError('bug');
      authenticate.mockRejectedValue(bug);
      const { error } = await run({ 'x-api-key': API_KEY });
      expect(error).toBe(bug);
      expect(recordFailure).not.toHaveBeenCalled();
    });
  });
});
