import { sql } from 'kysely';
import { AccountsRepository } from '../accounts/accounts.repository';
import { ProviderError } from '../common/errors/domain-errors';
import { loadConfig } from '../config/load-config';
import { Database } from '../database/database';
import { ProviderCallBudget } from '../payments/provider-call-budget';
import { InMemoryPaymentProvider } from '../../test/support/in-memory-payment-provider';
import { createUnitDb } from '../../test/support/unit-db';
import { CustomersRepository } from './customers.repository';
import { customerIdempotencyKey, CustomerOwner, CustomersService } from './customers.service';

describe(CustomersService.name, () => {
  let sut: CustomersService;
  let provider: InMemoryPaymentProvider;
  let repository: CustomersRepository;
  let db: Database;
  let close: () => Promise<void>;
  let owner: CustomerOwner;

  beforeEach(async () => {
    ({ db, close } = await createUnitDb());
    provider = new InMemoryPaymentProvider();
    repository = new CustomersRepository(db);
    const config = loadConfig({ STRIPE_TIMEOUT_MS: '200', STRIPE_MAX_NETWORK_RETRIES: '0' });
    sut = new CustomersService(repository, provider, new ProviderCallBudget(config));
    const account = await new AccountsRepository(db).create({
      name: 'Acme',
      email: 'billing@acme.test',
      externalId: null,
      platformAdmin: false,
    });
    owner = { id: account.id, name: account.name, email: account.email };
  });

  afterEach(() => close());

  it('should create one provider customer for many concurrent callers, per mode', async () => {
    provider.latencyMs = 15;

    const ids = await Promise.all([
      ...Array.from({ length: 25 }, () => sut.ensureCustomer(owner, 'live')),
      sut.ensureCustomer(owner, 'test'),
    ]);

    expect(new Set(ids.slice(0, 25)).size).toBe(1);
    expect(ids[25]).not.toBe(ids[0]);
    expect(provider.customers).toHaveLength(2);
    expect(await repository.find({ accountId: owner.id, provider: 'stripe', mode: 'live' })).toMatchObject({
      providerCustomerId: ids[0],
      leaseUntil: null,
    });
  });

  it('should take over a claim whose request died', async () => {
    const key = { accountId: owner.id, provider: 'stripe', mode: 'live' };
    await repository.claim(key, '9f1d6c0e-2b3a-4c5d-8e7f-0a1b2c3d4e5f', new Date(Date.now() - 1000));

    const id = await sut.ensureCustomer(owner, 'live');

    expect(provider.customers).toEqual([
      { id, accountId: owner.id, idempotencyKey: customerIdempotencyKey(owner, 'live') },
    ]);
    expect(await repository.find(key)).toMatchObject({
      id: '9f1d6c0e-2b3a-4c5d-8e7f-0a1b2c3d4e5f',
      providerCustomerId: id,
    });
  });

  it('should get the same customer back when an earlier attempt made it but its answer was lost', async () => {
    const first = await provider.createCustomer({
      accountId: owner.id,
      idempotencyKey: customerIdempotencyKey(owner, 'live'),
    });

    await expect(sut.ensureCustomer(owner, 'live')).resolves.toBe(first.id);
    expect(provider.customers).toHaveLength(1);
  });

  it('should use another idempotency key per mode and when the account’s details change', () => {
    const live = customerIdempotencyKey(owner, 'live');

    expect(customerIdempotencyKey(owner, 'live')).toBe(live);
    expect(customerIdempotencyKey(owner, 'test')).not.toBe(live);
    expect(customerIdempotencyKey({ ...owner, email: 'new@acme.test' }, 'live')).not.toBe(live);
  });

  it('should wait for a claim in progress rather than create a second customer', async () => {
    const key = { accountId: owner.id, provider: 'stripe', mode: 'live' };
    const rowId = '1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d';
    await repository.claim(key, rowId, new Date(Date.now() + 60_000));
    setTimeout(() => void repository.complete(rowId, 'cus_made_elsewhere'), 50);

    await expect(sut.ensureCustomer(owner, 'live')).resolves.toBe('cus_made_elsewhere');
    expect(provider.customers).toHaveLength(0);
  });

  it('should leave no row without a provider id when the provider fails', async () => {
    provider.failWith = new ProviderError();

    await expect(sut.ensureCustomer(owner, 'live')).rejects.toBeInstanceOf(ProviderError);

    expect(await repository.find({ accountId: owner.id, provider: 'stripe', mode: 'live' })).toBeNull();
  });

  it("should keep an account's provider customer id once found, and ask again while it has none", async () => {
    expect(await sut.findProviderCustomerId(owner.id, 'live')).toBeNull();
    const id = await sut.ensureCustomer(owner, 'live');
    expect(await sut.findProviderCustomerId(owner.id, 'live')).toBe(id);

    // Only a copy answers once the row is gone (rows with a provider id never go).
    await db.changes(sql`DELETE FROM customers WHERE account_id = ${owner.id}`);
    expect(await sut.findProviderCustomerId(owner.id, 'live')).toBe(id);
    expect(await sut.findProviderCustomerId(owner.id, 'test')).toBeNull();
  });

  it('should name the account that owns a provider customer, and nobody for a stranger', async () => {
    const id = await sut.ensureCustomer(owner, 'live');

    await expect(sut.findOwner('live', id)).resolves.toMatchObject({ accountId: owner.id });
    await expect(sut.findOwner('test', id)).resolves.toBeNull();
    await expect(sut.findOwner('live', 'cus_unknown')).resolves.toBeNull();
  });
});
