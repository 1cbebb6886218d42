import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { createHash, randomUUID } from 'node:crypto';
import { ProviderMode } from '../config/app-config';
import { Transaction } from '../database/database';
import { ProviderUnavailableError } from '../common/errors/domain-errors';
import { underLease } from '../common/concurrency/lease';
import { PaymentProvider } from '../payments/payment-provider';
import { ProviderCallBudget } from '../payments/provider-call-budget';
import { CustomerKey, CustomerRecord, CustomersRepository } from './customers.repository';

/** Whose a provider customer is. Never changes once the customer exists, so it is cached. */
export interface CustomerOwnership {
  accountId: string;
  customerId: string;
}

const OWNERSHIP_CACHE_SIZE = 10_000;

/**
 * The same for every attempt to create this account's customer with these details: when an
 * answer is lost after the provider made the customer (a timeout, a reset connection), the next
 * attempt, by any request, gets that customer back instead of a second one (within the
 * provider's 24-hour idempotency window).
 */
export function customerIdempotencyKey(owner: CustomerOwner, mode: ProviderMode): string {
  const details = createHash('sha256')
    .update(JSON.stringify([owner.name, owner.email]))
    .digest('hex')
    .slice(0, 16);
  return `customer-${mode}-${owner.id}-${details}`;
}

export interface CustomerOwner {
  id: string;
  name: string;
  email: string | null;
}

/**
 * One provider customer per account, provider and mode (docs/guarantees.md#g1), however many requests
 * on however many instances race to create it: a unique row is claimed in the database before
 * the provider is called, and the others wait for that row to be completed.
 */
@Injectable()
export class CustomersService {
  private readonly ownership = new LRUCache<string, CustomerOwnership>({ max: OWNERSHIP_CACHE_SIZE });
  private readonly customerIds = new LRUCache<string, string>({ max: OWNERSHIP_CACHE_SIZE });

  constructor(
    private readonly customers: CustomersRepository,
    private readonly provider: PaymentProvider,
    private readonly budget: ProviderCallBudget,
  ) {}

  /** The provider's customers that exist, a page at a time in id order (reconciliation walks them). */
  listCreated(options: { accountId?: string; afterId?: string; limit: number }): Promise<CustomerRecord[]> {
    return this.customers.listCreated(this.provider.name, options);
  }

  /**
   * The account's provider customer id, or null when it has none yet. Kept once found: a
   * customer's provider id is set once and never changes or goes (docs/guarantees.md#g1), so the
   * copy is right on every instance; that there is none yet is asked again each time.
   */
  async findProviderCustomerId(accountId: string, mode: ProviderMode): Promise<string | null> {
    const cacheKey = `${mode}:${accountId}`;
    const cached = this.customerIds.get(cacheKey);
    if (cached) return cached;
    const row = await this.customers.find({ accountId, provider: this.provider.name, mode });
    if (row?.providerCustomerId) this.customerIds.set(cacheKey, row.providerCustomerId);
    return row?.providerCustomerId ?? null;
  }

  /** The account a provider customer belongs to, or null when it is not one of ours. */
  async findOwner(
    mode: ProviderMode,
    providerCustomerId: string,
    tx?: Transaction,
  ): Promise<CustomerOwnership | null> {
    const cacheKey = `${mode}:${providerCustomerId}`;
    const cached = this.ownership.get(cacheKey);
    if (cached) return cached;
    const row = await this.customers.findByProviderCustomerId(
      this.provider.name,
      mode,
      providerCustomerId,
      tx,
    );
    if (!row) return null;
    const owner = { accountId: row.accountId, customerId: row.id };
    this.ownership.set(cacheKey, owner);
    return owner;
  }

  async ensureCustomer(owner: CustomerOwner, mode: ProviderMode): Promise<string> {
    const key: CustomerKey = { accountId: owner.id, provider: this.provider.name, mode };
    return underLease<string>({
      claim: async () => {
        const id = randomUUID();
        return (await this.customers.claim(key, id, this.budget.leaseUntil()))
          ? () => this.createAtProvider(id, owner, mode)
          : undefined;
      },
      inspect: async () => {
        const row = await this.customers.find(key);
        if (!row) return { gone: true };
        if (row.providerCustomerId) return { done: row.providerCustomerId };
        return {
          held: {
            leaseUntil: row.leaseUntil,
            takeOver: async () =>
              (await this.customers.takeOver(row.id, row.leaseUntil!, this.budget.leaseUntil()))
                ? () => this.createAtProvider(row.id, owner, mode)
                : undefined,
          },
        };
      },
      deadline: Date.now() + this.budget.leaseMs(),
      timeout: () => new ProviderUnavailableError('Creating the customer took too long; retry later'),
    });
  }

  private async createAtProvider(rowId: string, owner: CustomerOwner, mode: ProviderMode): Promise<string> {
    try {
      const customer = await this.provider.createCustomer({
        mode,
        accountId: owner.id,
        email: owner.email,
        name: owner.name,
        idempotencyKey: customerIdempotencyKey(owner, mode),
      });
      await this.customers.complete(rowId, customer.id);
      return customer.id;
    } catch (error) {
      await this.customers.release(rowId).catch(() => undefined);
      throw error;
    }
  }
}
