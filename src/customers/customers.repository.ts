import { Injectable } from '@nestjs/common';
import { Db, toDate, Tx } from '../database/db.service';

export interface CustomerRecord {
  id: string;
  accountId: string;
  provider: string;
  mode: string;
  providerCustomerId: string | null;
  leaseUntil: Date | null;
}

type CustomerRow = {
  id: string;
  account_id: string;
  provider: string;
  mode: string;
  provider_customer_id: string | null;
  lease_until: unknown;
};

const toCustomer = (row: CustomerRow): CustomerRecord => ({
  id: row.id,
  accountId: row.account_id,
  provider: row.provider,
  mode: row.mode,
  providerCustomerId: row.provider_customer_id,
  leaseUntil: toDate(row.lease_until),
});

const COLUMNS = 'id, account_id, provider, mode, provider_customer_id, lease_until';

export interface CustomerKey {
  accountId: string;
  provider: string;
  mode: string;
}

@Injectable()
export class CustomersRepository {
  constructor(private readonly db: Db) {}

  async find(key: CustomerKey): Promise<CustomerRecord | null> {
    const row = await this.db.one<CustomerRow>(
      `SELECT ${COLUMNS} FROM customers
        WHERE account_id = :accountId AND provider = :provider AND mode = :mode`,
      { ...key },
    );
    return row ? toCustomer(row) : null;
  }

  async findByProviderCustomerId(provider: string, mode: string, providerCustomerId: string, tx?: Tx) {
    const row = await this.db.one<CustomerRow>(
      `SELECT ${COLUMNS} FROM customers
        WHERE provider = :provider AND mode = :mode AND provider_customer_id = :providerCustomerId`,
      { provider, mode, providerCustomerId },
      tx,
    );
    return row ? toCustomer(row) : null;
  }

  /** Inserts a pending row unless the account already has one; true when this call inserted it. */
  async claim(key: CustomerKey, id: string, leaseUntil: Date): Promise<boolean> {
    const inserted = await this.db.one(
      `INSERT INTO customers (id, account_id, provider, mode, provider_customer_id, lease_until, created_at)
       VALUES (:id, :accountId, :provider, :mode, NULL, :leaseUntil, :now)
       ON CONFLICT DO NOTHING RETURNING id`,
      { id, ...key, leaseUntil, now: new Date() },
    );
    return inserted !== undefined;
  }

  /** Takes over a pending row whose lease ran out (its request died); true when this call won. */
  async takeOver(id: string, expiredLease: Date, leaseUntil: Date): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE customers SET lease_until = :leaseUntil
        WHERE id = :id AND provider_customer_id IS NULL AND lease_until = :expiredLease`,
      { id, expiredLease, leaseUntil },
    );
    return changed === 1;
  }

  async complete(id: string, providerCustomerId: string): Promise<void> {
    await this.db.execute(
      'UPDATE customers SET provider_customer_id = :providerCustomerId, lease_until = NULL WHERE id = :id',
      { id, providerCustomerId },
    );
  }

  /** Removes a pending row whose provider call failed, so nothing half-made stays behind. */
  async release(id: string): Promise<void> {
    await this.db.execute('DELETE FROM customers WHERE id = :id AND provider_customer_id IS NULL', { id });
  }
}
