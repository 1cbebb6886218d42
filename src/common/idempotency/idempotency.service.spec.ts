import { IdempotencyKeyInUseError } from '../errors/domain-errors';
import { IdempotencyEntry, IdempotencyRepository } from './idempotency.repository';
import { fingerprintHash, IdempotencyService } from './idempotency.service';

describe(IdempotencyService.name, () => {
  const request = { accountId: 'acc-1', key: 'key-1', fingerprint: { body: { a: 1 } } };

  it('should answer IdempotencyKeyInUseError when the request holding the key does not finish in time', async () => {
    const held: IdempotencyEntry = {
      requestHash: fingerprintHash(request.fingerprint),
      responseStatus: null,
      responseBody: null,
      leaseUntil: new Date(Date.now() + 60_000),
      expiresAt: new Date(Date.now() + 3_600_000),
    };
    const records = {
      claim: () => Promise.resolve(false),
      find: () => Promise.resolve(held),
    } as unknown as IdempotencyRepository;
    const sut = new IdempotencyService(records, { leaseMs: 100 });
    const execute = jest.fn();

    await expect(sut.run(request, execute)).rejects.toThrow(IdempotencyKeyInUseError);
    await expect(sut.run(request, execute)).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_USE' });
    expect(execute).not.toHaveBeenCalled();
  });
});
