import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { AccountsRepository } from '../accounts/accounts.repository';
import { BadRequestError, ForbiddenError, NotFoundError } from '../common/errors/domain-errors';
import { ErrorCode } from '../common/errors/error-code';
import { AccountOverrideGuard } from './account-override.guard';
import { ADMIN_SCOPE, Caller, Principal } from './principal';

const OWN_ID = '0b6f1c9e-3a52-4d8e-9f10-2c4b5a6d7e81';
const TARGET_ID = '7d2e4f60-1b3c-4a5d-8e9f-0a1b2c3d4e5f';
const QUERY_TARGET_ID = 'c3a9e1f2-5b6d-4c7e-a8f9-1d2e3f4a5b6c';

interface TestRequest {
  user: Principal;
  caller?: Caller;
  body?: unknown;
  query?: Record<string, unknown>;
}

function principal(overrides: Partial<Principal> = {}): Principal {
  return {
    accountId: OWN_ID,
    scopes: new Set<string>(),
    via: 'api-key',
    credentialId: 'key-1',
    platformAdmin: false,
    ...overrides,
  };
}

const admin = (overrides: Partial<Principal> = {}) =>
  principal({ scopes: new Set([ADMIN_SCOPE]), ...overrides });

describe(AccountOverrideGuard.name, () => {
  let sut: AccountOverrideGuard;
  let findOverrideTarget: jest.Mock<Promise<{ granted: boolean } | null>, [string, string]>;

  beforeEach(() => {
    findOverrideTarget = jest.fn<Promise<{ granted: boolean } | null>, [string, string]>();
    const accounts = { findOverrideTarget } as unknown as AccountsRepository;
    sut = new AccountOverrideGuard(accounts);
  });

  /** Runs the guard on a request and returns the account it decided the request acts for. */
  async function actingFor(request: TestRequest): Promise<string> {
    const context = new ExecutionContextHost([request, {}]);
    await expect(sut.canActivate(context)).resolves.toBe(true);
    expect(request.caller?.principal).toBe(request.user);
    return request.caller!.accountId;
  }

  async function refusal(request: TestRequest): Promise<unknown> {
    const context = new ExecutionContextHost([request, {}]);
    const error = await sut.canActivate(context).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeDefined();
    expect(request.caller).toBeUndefined();
    return error;
  }

  describe('without an accountId', () => {
    it('should act for the caller’s own account without asking the repository', async () => {
      await expect(actingFor({ user: principal(), body: {}, query: {} })).resolves.toBe(OWN_ID);
      expect(findOverrideTarget).not.toHaveBeenCalled();
    });

    it('should cope with a request that has neither body nor query', async () => {
      await expect(actingFor({ user: principal() })).resolves.toBe(OWN_ID);
    });

    it.each<[string, unknown]>([
      ['null', null],
      ['an array', [{ accountId: TARGET_ID }]],
      ['a string', `{"accountId":"${TARGET_ID}"}`],
    ])('should ignore a body that is %s', async (_label, body) => {
      await expect(actingFor({ user: principal(), body })).resolves.toBe(OWN_ID);
      expect(findOverrideTarget).not.toHaveBeenCalled();
    });

    it('should ignore an accountId the body only inherits', async () => {
      const body: unknown = Object.create({ accountId: TARGET_ID });
      await expect(actingFor({ user: principal(), body })).resolves.toBe(OWN_ID);
    });
  });

  describe('acting for yourself', () => {
    it('should need no admin scope when the body names the caller’s account', async () => {
      await expect(actingFor({ user: principal(), body: { accountId: OWN_ID } })).resolves.toBe(OWN_ID);
      expect(findOverrideTarget).not.toHaveBeenCalled();
    });

    it('should need no admin scope when the query names the caller’s account', async () => {
      await expect(actingFor({ user: principal(), query: { accountId: OWN_ID } })).resolves.toBe(OWN_ID);
      expect(findOverrideTarget).not.toHaveBeenCalled();
    });

    it('should treat the caller’s id in upper case as the caller’s account', async () => {
      // UUIDs are case-insensitive; the DTOs accept upper case too.
      await expect(
        actingFor({ user: principal(), query: { accountId: OWN_ID.toUpperCase() } }),
      ).resolves.toBe(OWN_ID);
    });
  });

  describe('where the accountId is read from', () => {
    it('should prefer the body’s accountId to the query’s', async () => {
      findOverrideTarget.mockResolvedValue({ granted: true });
      const accountId = await actingFor({
        user: admin(),
        body: { accountId: TARGET_ID },
        query: { accountId: QUERY_TARGET_ID },
      });
      expect(accountId).toBe(TARGET_ID);
      expect(findOverrideTarget).toHaveBeenCalledWith(OWN_ID, TARGET_ID);
    });

    it('should act for the caller when the body names the caller, whatever the query says', async () => {
      await expect(
        actingFor({ user: principal(), body: { accountId: OWN_ID }, query: { accountId: TARGET_ID } }),
      ).resolves.toBe(OWN_ID);
      expect(findOverrideTarget).not.toHaveBeenCalled();
    });

    it('should read the query when the body has no accountId', async () => {
      findOverrideTarget.mockResolvedValue({ granted: true });
      const accountId = await actingFor({
        user: admin(),
        body: { successUrl: 'https://app.example.com' },
        query: { accountId: QUERY_TARGET_ID },
      });
      expect(accountId).toBe(QUERY_TARGET_ID);
    });
  });

  describe('an accountId that is not a UUID', () => {
    it.each<[string, unknown]>([
      ['a word', 'not-a-uuid'],
      ['an empty string', ''],
      ['a number', 42],
      ['null', null],
      ['an array of UUIDs', [TARGET_ID]],
      ['an object', { id: TARGET_ID }],
      ['a UUID with trailing text', `${TARGET_ID}x`],
    ])('should refuse %s with BadRequestError, even for a platform admin', async (_label, accountId) => {
      const error = await refusal({ user: admin({ platformAdmin: true }), body: { accountId } });
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error).toMatchObject({ code: ErrorCode.BAD_REQUEST, message: 'accountId must be a UUID' });
      expect(findOverrideTarget).not.toHaveBeenCalled();
    });

    it('should refuse a non-UUID before looking at the scopes', async () => {
      const error = await refusal({ user: principal(), query: { accountId: 'not-a-uuid' } });
      expect(error).toBeInstanceOf(BadRequestError);
    });
  });

  describe('another account without the admin scope', () => {
    it('should refuse with ForbiddenError and not look the target up', async () => {
      const error = await refusal({ user: principal(), body: { accountId: TARGET_ID } });
      expect(error).toBeInstanceOf(ForbiddenError);
      expect(error).toMatchObject({ code: ErrorCode.FORBIDDEN });
      expect(findOverrideTarget).not.toHaveBeenCalled();
    });

    it('should refuse a platform admin too', async () => {
      const error = await refusal({
        user: principal({ platformAdmin: true }),
        query: { accountId: TARGET_ID },
      });
      expect(error).toBeInstanceOf(ForbiddenError);
      expect(findOverrideTarget).not.toHaveBeenCalled();
    });

    it('should not take a scope that merely contains the word admin', async () => {
      const user = principal({ scopes: new Set(['administrator', 'admin:read']), platformAdmin: true });
      const error = await refusal({ user, query: { accountId: TARGET_ID } });
      expect(error).toBeInstanceOf(ForbiddenError);
    });
  });

  describe('another account with the admin scope', () => {
    it('should refuse an unknown target with NotFoundError', async () => {
      findOverrideTarget.mockResolvedValue(null);
      const error = await refusal({ user: admin({ platformAdmin: true }), body: { accountId: TARGET_ID } });
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ code: ErrorCode.NOT_FOUND });
      expect(findOverrideTarget).toHaveBeenCalledWith(OWN_ID, TARGET_ID);
    });

    it('should refuse with ForbiddenError without platform admin and without a grant', async () => {
      findOverrideTarget.mockResolvedValue({ granted: false });
      const error = await refusal({ user: admin(), body: { accountId: TARGET_ID } });
      expect(error).toBeInstanceOf(ForbiddenError);
      expect(error).toMatchObject({ code: ErrorCode.FORBIDDEN });
      expect(findOverrideTarget).toHaveBeenCalledWith(OWN_ID, TARGET_ID);
    });

    it('should act for the target when the caller holds a grant on it', async () => {
      findOverrideTarget.mockResolvedValue({ granted: true });
      await expect(actingFor({ user: admin(), body: { accountId: TARGET_ID } })).resolves.toBe(TARGET_ID);
      expect(findOverrideTarget).toHaveBeenCalledTimes(1);
      expect(findOverrideTarget).toHaveBeenCalledWith(OWN_ID, TARGET_ID);
    });

    it('should act for any existing target when the caller is a platform admin', async () => {
      findOverrideTarget.mockResolvedValue({ granted: false });
      await expect(
        actingFor({ user: admin({ platformAdmin: true }), query: { accountId: TARGET_ID } }),
      ).resolves.toBe(TARGET_ID);
    });

    it('should act for the canonical lower-case id when the target is named in upper case', async () => {
      findOverrideTarget.mockResolvedValue({ granted: true });
      const accountId = await actingFor({ user: admin(), query: { accountId: TARGET_ID.toUpperCase() } });
      expect(accountId).toBe(TARGET_ID);
    });

    it('should let a repository failure through unchanged', async () => {
      const failure = new Error('database is down');
      findOverrideTarget.mockRejectedValue(failure);
      await expect(refusal({ user: admin(), body: { accountId: TARGET_ID } })).resolves.toBe(failure);
    });
  });
});
