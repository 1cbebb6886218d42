import { Test } from '@nestjs/testing';
import { AccountsRepository } from '../accounts/accounts.repository';
import { AppConfig } from '../config/app-config';
import { PaymentProvider } from '../payments/payment-provider';
import { TrialsRepository } from './trials.repository';
import { sql } from 'kysely';
import {
  AlreadySubscribedError,
  BadRequestError,
  InvalidPriceError,
  NotFoundError,
  ProviderUnavailableError,
} from '../common/errors/domain-errors';
import { RedirectUrlPolicy } from '../common/redirect/redirect-url.policy';
import { loadConfig } from '../config/load-config';
import { CustomersRepository } from '../customers/customers.repository';
import { CustomersService } from '../customers/customers.service';
import { Database } from '../database/database';
import { ProviderCallBudget } from '../payments/provider-call-budget';
import { InMemoryPaymentProvider } from '../../test/support/in-memory-payment-provider';
import { createUnitDb } from '../../test/support/unit-db';
import { CheckoutSessionsRepository } from './checkout-sessions.repository';
import { CheckoutRequest, CheckoutService, checkoutRequestHash } from './checkout.service';
import { PriceCatalog } from './price-catalog';
import { Outbox } from '../events/outbox';
import { DispatchSignal } from '../events/dispatch-signal';
import { CurrentSubscriptionCache } from '../subscriptions/current-subscription-cache';
import { SubscriptionsRepository } from '../subscriptions/subscriptions.repository';

const ORIGIN = 'https://app.example.com';

describe(CheckoutService.name, () => {
  let sut: CheckoutService;
  let provider: InMemoryPaymentProvider;
  let db: Database;
  let accounts: AccountsRepository;
  let trials: TrialsRepository;
  let close: () => Promise<void>;
  let accountId: string;

  const request = (overrides: Partial<CheckoutRequest> = {}): CheckoutRequest => ({
    accountId,
    mode: 'live',
    checkoutMode: 'subscription',
    priceId: 'price_monthly',
    quantity: 1,
    successUrl: `${ORIGIN}/ok?session={CHECKOUT_SESSION_ID}`,
    cancelUrl: `${ORIGIN}/cancel`,
    allowExistingSubscription: false,
    expiresInMinutes: 60,
    verifyPrice: false,
    alreadySubscribedRemedy: 'allowExistingSubscription',
    ...overrides,
  });

  const count = async (table: string) =>
    Number((await db.first(sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.id(table)}`))!.n);

  /** The checkout service as its module wires it, on a migrated in-memory database. */
  async function build(env: Record<string, string>): Promise<CheckoutService> {
    const config = loadConfig({
      DATABASE_URL: 'sqlite::memory:',
      ALLOWED_REDIRECT_ORIGINS: ORIGIN,
      STRIPE_TIMEOUT_MS: '1000',
      STRIPE_MAX_NETWORK_RETRIES: '0',
      ...env,
    });
    const moduleRef = await Test.createTestingModule({
      providers: [
        CheckoutService,
        CheckoutSessionsRepository,
        TrialsRepository,
        PriceCatalog,
        AccountsRepository,
        CustomersService,
        CustomersRepository,
        RedirectUrlPolicy,
        ProviderCallBudget,
        Outbox,
        DispatchSignal,
        CurrentSubscriptionCache,
        SubscriptionsRepository,
        { provide: AppConfig, useValue: config },
        { provide: Database, useValue: db },
        { provide: PaymentProvider, useValue: provider },
      ],
    }).compile();
    return moduleRef.get(CheckoutService);
  }

  beforeEach(async () => {
    ({ db, close } = await createUnitDb());
    provider = new InMemoryPaymentProvider();
    provider.prices.set('price_monthly', {
      id: 'price_monthly',
      active: true,
      type: 'recurring',
      currency: 'usd',
      unitAmount: 1000,
      interval: 'month',
      productName: 'Pro',
    });
    provider.prices.set('price_once', {
      ...provider.prices.get('price_monthly')!,
      id: 'price_once',
      type: 'one_time',
    });
    accounts = new AccountsRepository(db);
    trials = new TrialsRepository(db);
    sut = await build({ TRIAL_DAYS: '14' });
    accountId = (await accounts.create({ name: 'Acme', email: null, externalId: null, platformAdmin: false }))
      .id;
  });

  afterEach(() => close());

  it('should create one provider customer and one checkout for concurrent first requests', async () => {
    provider.latencyMs = 20;
    const sessions = await Promise.all(Array.from({ length: 20 }, () => sut.start(request())));

    expect(new Set(sessions.map((session) => session.id)).size).toBe(1);
    expect(provider.customers).toHaveLength(1);
    expect(provider.checkoutSessions).toHaveLength(1);
    expect(await count('customers')).toBe(1);
    expect(await count('checkout_sessions')).toBe(1);
  });

  it('should pass the price, quantity, trial, redirect URLs and merged metadata to the provider', async () => {
    await sut.start(request({ quantity: 3, metadata: { plan: 'pro', accountId: 'spoofed' } }));

    const [input] = provider.checkoutSessions;
    expect(input).toMatchObject({
      accountId,
      priceId: 'price_monthly',
      quantity: 3,
      trialDays: 14,
      successUrl: `${ORIGIN}/ok?session={CHECKOUT_SESSION_ID}`,
      cancelUrl: `${ORIGIN}/cancel`,
      metadata: { plan: 'pro', accountId },
    });
    expect(input.idempotencyKey).toMatch(/^checkout-/);
    expect(input.expiresAt.getTime()).toBeGreaterThan(Date.now() + 59 * 60_000);
  });

  it('should return the open checkout again for an identical request instead of creating one', async () => {
    const first = await sut.start(request({ metadata: { order: 'A-1' } }));
    const second = await sut.start(request({ metadata: { order: 'A-1' } }));

    expect(second).toEqual(first);
    expect(provider.checkoutSessions).toHaveLength(1);
  });

  it('should expire the open subscription checkout at the provider before creating one for another request', async () => {
    const first = await sut.start(request());
    const other = await sut.start(request({ successUrl: `${ORIGIN}/other` }));
    const third = await sut.start(request({ quantity: 2 }));

    expect(new Set([first.id, other.id, third.id]).size).toBe(3);
    expect(provider.checkoutSessions.map((session) => session.status)).toEqual([
      'expired',
      'expired',
      'open',
    ]);
    const statuses = await db.rows(sql<{ status: string }>`SELECT status FROM checkout_sessions`);
    expect(statuses.map((row) => row.status).sort()).toEqual(['expired', 'expired', 'open']);
  });

  it('should refuse a new checkout when the open one was completed at the provider meanwhile', async () => {
    await sut.start(request());
    provider.checkoutSessions[0].status = 'complete';

    await expect(sut.start(request({ quantity: 2 }))).rejects.toBeInstanceOf(AlreadySubscribedError);
    expect(provider.checkoutSessions).toHaveLength(1);
  });

  it('should not return a checkout whose time is up', async () => {
    const first = await sut.start(request());
    await db.changes(sql`UPDATE checkout_sessions SET expires_at = ${new Date(Date.now() - 1000)}`);

    const second = await sut.start(request());

    expect(second.id).not.toBe(first.id);
    const statuses = await db.rows(
      sql<{ status: string }>`SELECT status FROM checkout_sessions ORDER BY created_at`,
    );
    expect(statuses.map((row) => row.status).sort()).toEqual(['expired', 'open']);
  });

  it('should give the trial to the open subscription checkout only, never to a payment', async () => {
    await sut.start(request());
    await sut.start(request({ priceId: 'price_once', checkoutMode: 'payment' }));
    await sut.start(request({ quantity: 2 }));

    // The first checkout was expired unused: its trial went to the one that replaced it.
    expect(provider.checkoutSessions.map((input) => input.trialDays)).toEqual([14, null, 14]);
    const account = await db.first(
      sql<{ trialCheckoutId: string }>`SELECT trial_checkout_id FROM accounts WHERE id = ${accountId}`,
    );
    const holder = await db.first(
      sql<{
        providerSessionId: string;
      }>`SELECT provider_session_id FROM checkout_sessions WHERE id = ${account!.trialCheckoutId}`,
    );
    expect(holder!.providerSessionId).toBe(provider.checkoutSessions[2].id);
  });

  it('should give no trial once the account has used it', async () => {
    await trials.consume(accountId);

    await sut.start(request());

    expect(provider.checkoutSessions[0].trialDays).toBeNull();
  });

  it('should offer no trial at all with TRIAL_DAYS=0, and keep the account’s trial unclaimed', async () => {
    const noTrials = await build({ TRIAL_DAYS: '0' });

    await noTrials.start(request());

    expect(provider.checkoutSessions[0].trialDays).toBeNull();
    expect((await accounts.findById(accountId))!.trialClaimedAt).toBeNull();
  });

  it('should refuse a second subscription unless the caller allows it', async () => {
    await insertSubscription('trialing');

    await expect(sut.start(request())).rejects.toBeInstanceOf(AlreadySubscribedError);
    await expect(sut.start(request({ allowExistingSubscription: true }))).resolves.toHaveProperty('id');
  });

  it('should leave no checkout behind and give the trial back when the provider fails', async () => {
    await sut.start(request({ priceId: 'price_once', checkoutMode: 'payment' }));
    provider.failWith = new ProviderUnavailableError();

    await expect(sut.start(request())).rejects.toBeInstanceOf(ProviderUnavailableError);

    expect(await count('checkout_sessions')).toBe(1);
    expect((await accounts.findById(accountId))!.trialClaimedAt).toBeNull();
    await sut.start(request());
    expect(provider.checkoutSessions.at(-1)!.trialDays).toBe(14);
  });

  it('should remove a customer row whose provider call failed', async () => {
    provider.failWith = new ProviderUnavailableError();

    await expect(sut.start(request())).rejects.toBeInstanceOf(ProviderUnavailableError);

    expect(await count('customers')).toBe(0);
    expect(await count('checkout_sessions')).toBe(0);
    expect((await accounts.findById(accountId))!.trialClaimedAt).toBeNull();
  });

  describe('a checkout whose request died', () => {
    const abandonedId = '3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a99';

    /** What a request killed after claiming its checkout leaves behind: a pending row, lease over. */
    async function abandonCheckout(options: { trialTaken: boolean }) {
      const repository = new CheckoutSessionsRepository(db);
      const slot = {
        accountId,
        provider: 'stripe',
        mode: 'live',
        checkoutMode: 'subscription',
        requestHash: checkoutRequestHash(request()),
      };
      const terms = {
        priceId: 'price_monthly',
        quantity: 1,
        requestHash: slot.requestHash,
        expiresAt: new Date(Date.now() + 3_600_000),
      };
      await repository.claimIfFree(
        slot,
        { ...terms, id: abandonedId, leaseUntil: new Date(Date.now() - 1), createdAt: new Date() },
        { allowExistingSubscription: false },
      );
      if (options.trialTaken) {
        await trials.claim(accountId, abandonedId);
        await repository.setTrialDays(abandonedId, 14);
      }
    }

    it('should be taken over, keeping its trial, under a fresh idempotency key', async () => {
      await abandonCheckout({ trialTaken: true });

      const session = await sut.start(request());

      expect(provider.checkoutSessions).toHaveLength(1);
      expect(provider.checkoutSessions[0]).toMatchObject({ trialDays: 14, id: session.id });
      expect(provider.checkoutSessions[0].idempotencyKey).toMatch(
        new RegExp(`^checkout-${abandonedId}-\\d+$`),
      );
      const rows = await db.rows(
        sql<{ id: string; status: string }>`SELECT id, status FROM checkout_sessions`,
      );
      expect(rows).toEqual([{ id: abandonedId, status: 'open' }]);
    });

    it('should be given the trial when its request died before taking it', async () => {
      await abandonCheckout({ trialTaken: false });

      await sut.start(request());

      expect(provider.checkoutSessions[0].trialDays).toBe(14);
      expect((await accounts.findById(accountId))!.trialClaimedAt).not.toBeNull();
    });

    it('should be taken over with the terms of the request that takes it over', async () => {
      await abandonCheckout({ trialTaken: false });

      await sut.start(request({ quantity: 4, priceId: 'price_monthly' }));

      expect(provider.checkoutSessions[0]).toMatchObject({ quantity: 4, trialDays: 14 });
      const row = await db.first(
        sql<{
          quantity: number;
          requestHash: string;
        }>`SELECT quantity, request_hash FROM checkout_sessions WHERE id = ${abandonedId}`,
      );
      expect(Number(row!.quantity)).toBe(4);
      expect(row!.requestHash).toBe(checkoutRequestHash(request({ quantity: 4 })));
    });
  });

  it('should refuse redirect URLs outside the allowed origins before calling the provider', async () => {
    await expect(sut.start(request({ successUrl: 'https://evil.example.net/' }))).rejects.toBeInstanceOf(
      BadRequestError,
    );
    await expect(sut.start(request({ cancelUrl: 'http://app.example.com/' }))).rejects.toBeInstanceOf(
      BadRequestError,
    );
    expect(provider.customers).toHaveLength(0);
  });

  it('should answer NotFound for test mode when it is not configured', async () => {
    await expect(sut.start(request({ mode: 'test' }))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('should answer NotFound for an account that does not exist', async () => {
    await expect(
      sut.start(request({ accountId: '6d2b8f8e-1f7a-4a65-9c38-4a1b2c3d4e5f' })),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('should only sell active prices of the right kind, and ask the provider once per price', async () => {
    await expect(sut.start(request({ verifyPrice: true, priceId: 'price_unknown' }))).rejects.toBeInstanceOf(
      InvalidPriceError,
    );
    await expect(
      sut.start(request({ verifyPrice: true, priceId: 'price_once', checkoutMode: 'subscription' })),
    ).rejects.toBeInstanceOf(InvalidPriceError);
    await sut.start(request({ verifyPrice: true }));
    await sut.start(request({ verifyPrice: true }));

    expect(provider.priceLookups).toBe(3);
  });

  async function insertSubscription(status: string): Promise<void> {
    await db.changes(sql`INSERT INTO subscriptions (id, account_id, provider, mode, provider_subscription_id, status, quantity,
         cancel_at_period_end, provider_updated_at, created_at, updated_at)
       VALUES (${'0b6f5f0a-3a7b-4a1c-9a55-5c9d8f7e6a5b'}, ${accountId}, 'stripe', 'live', 'sub_1', ${status}, 1, ${false}, ${new Date()}, ${new Date()}, ${new Date()})`);
  }
});
