import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Database, Transaction } from '../database/database';
import { Customer } from './customer.entity';

export type CustomerRecord = Omit<Customer, 'account' | 'createdAt'>;

const COLUMNS = sql.raw('id, account_id, provider, mode, provider_customer_id, lease_until');

export interface CustomerKey {
  accountId: string;
  provider: string;
  mode: string;
}

@Injectable()
export class CustomersRepository {
  constructor(private readonly db: Database) {}

  async find(key: CustomerKey): Promise<CustomerRecord | null> {
    const row = await this.db.first(
      sql<CustomerRecord>`SELECT ${COLUMNS} FROM customers
        WHERE account_id = ${key.accountId} AND provider = ${key.provider} AND mode = ${key.mode}`,
    );
    return row ?? null;
  }

  async findByProviderCustomerId(
    provider: string,
    mode: string,
    providerCustomerId: string,
    tx?: Transaction,
  ): Promise<CustomerRecord | null> {
    const row = await this.db.first(
      sql<CustomerRecord>`SELECT ${COLUMNS} FROM customers
        WHERE provider = ${provider} AND mode = ${mode} AND provider_customer_id = ${providerCustomerId}`,
      tx,
    );
    return row ?? null;
  }

  /**
   * The provider's customers that exist (not pending), in id order after `afterId`, of one
   * account when given: reconciliation walks them page by page.
   */
  async listCreated(
    provider: string,
    options: { accountId?: string; afterId?: string; limit: number },
  ): Promise<CustomerRecord[]> {
    const account = options.accountId ? sql`AND account_id = ${options.accountId}` : sql``;
    const after = options.afterId ? sql`AND id > ${options.afterId}` : sql``;
    return this.db.rows(
      sql<CustomerRecord>`SELECT ${COLUMNS} FROM customers
        WHERE provider = ${provider} AND provider_customer_id IS NOT NULL ${account} ${after}
        ORDER BY id LIMIT ${options.limit}`,
    );
  }

  /** Inserts a pending row unless the account already has one; true when this call inserted it. */
  async claim(key: CustomerKey, id: string, leaseUntil: Date): Promise<boolean> {
    const inserted = await this.db.first(
      sql`INSERT INTO customers (id, account_id, provider, mode, provider_customer_id, lease_until, created_at)
          VALUES (${id}, ${key.accountId}, ${key.provider}, ${key.mode}, NULL, ${leaseUntil}, ${new Date()})
          ON CONFLICT DO NOTHING RETURNING id`,
    );
    return inserted !== undefined;
  }

  /** Takes over a pending row whose lease ran out (its request died); true when this call won. */
  async takeOver(id: string, expiredLease: Date, leaseUntil: Date): Promise<boolean> {
    const changed = await this.db.changes(
      sql`UPDATE customers SET lease_until = ${leaseUntil}
           WHERE id = ${id} AND provider_customer_id IS NULL AND lease_until = ${expiredLease}`,
    );
    return changed === 1;
  }

  async complete(id: string, providerCustomerId: string): Promise<void> {
    await this.db.changes(
      sql`UPDATE customers SET provider_customer_id = ${providerCustomerId}, lease_until = NULL WHERE id = ${id}`,
    );
  }

  /** Removes a pending row whose provider call failed, so nothing half-made stays behind. */
  async release(id: string): Promise<void> {
    await this.db.changes(sql`DELETE FROM customers WHERE id = ${id} AND provider_customer_id IS NULL`);
  }
}
