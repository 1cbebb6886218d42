import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ProviderMode } from '../config/app-config';
import { CustomersService } from '../customers/customers.service';
import { CustomerRecord } from '../customers/customers.repository';
import { Database } from '../database/database';
import { TrackedField } from '../events/outbox';
import { redactSecrets } from '../logging/log-redaction';
import { MetricsService } from '../metrics/metrics.service';
import { FetchedSubscription, PaymentProvider } from '../payments/payment-provider';
import { ProviderStateService } from '../subscriptions/provider-state.service';
import { JobLeasesRepository } from './job-leases.repository';

export const RECONCILIATION_JOB = 'reconciliation';
/** How long a round holds the job without renewing it; renewed every third of that. */
const LEASE_MS = 60_000;
/** Customers read from the database at a time. */
const PAGE_SIZE = 100;

/** A subscription whose records reconciliation repaired, and the fields it set right. */
export interface Repair {
  accountId: string;
  mode: ProviderMode;
  subscriptionId: string;
  /** The records did not know the subscription at all. */
  created: boolean;
  fields: TrackedField[];
}

/** A customer (or one of its subscriptions) the round could not compare: the next round tries again. */
export interface ReconciliationFailure {
  accountId: string;
  mode: ProviderMode;
  customerId: string;
  subscriptionId?: string;
  error: string;
}

/** What one round did (`npm run -s cli -- sync` prints it). */
export interface ReconciliationReport {
  startedAt: string;
  finishedAt: string;
  /** The customers compared with the provider. */
  customers: number;
  /** The subscriptions the provider listed for them. */
  subscriptions: number;
  repaired: Repair[];
  failed: ReconciliationFailure[];
  /** The round stopped early (its lease was lost, or the instance is shutting down). */
  interrupted: boolean;
}

/** Another instance or command is running a round: only one runs at a time. */
export class ReconciliationBusyError extends Error {
  constructor() {
    super(
      'A reconciliation round is running elsewhere (another instance or command); try again when it ends',
    );
    this.name = 'ReconciliationBusyError';
  }
}

/**
 * Reconciliation with the provider (docs/guarantees.md#g13): for each of the service's customers
 * the provider's subscriptions are read and stored through the same write as webhooks, where they
 * are newer than the records, so a missed webhook is repaired and its outbound events written.
 * One round at a time across every instance and command sharing the database (a lease).
 */
@Injectable()
export class ReconciliationService {
  private readonly logger = new Logger(ReconciliationService.name);

  constructor(
    private readonly db: Database,
    private readonly leases: JobLeasesRepository,
    private readonly customers: CustomersService,
    private readonly provider: PaymentProvider,
    private readonly state: ProviderStateService,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Runs a round now, of every customer or one account's; ReconciliationBusyError when one runs
   * elsewhere.
   */
  async run(options: { accountId?: string } = {}): Promise<ReconciliationReport> {
    const report = await this.exclusive({}, (lease) => this.round(options.accountId, () => lease.lost));
    if (!report) throw new ReconciliationBusyError();
    return report;
  }

  /**
   * Runs a round when one is due (the last one finished at least `intervalMs` ago, on whichever
   * instance) and nobody runs one; null when it did not run.
   */
  runIfDue(intervalMs: number, stopping: () => boolean): Promise<ReconciliationReport | null> {
    const now = new Date();
    return this.exclusive({ finishedBefore: new Date(now.getTime() - intervalMs) }, (lease) =>
      this.round(undefined, () => lease.lost || stopping()),
    );
  }

  private async exclusive(
    condition: { finishedBefore?: Date },
    work: (lease: { lost: boolean }) => Promise<ReconciliationReport>,
  ): Promise<ReconciliationReport | null> {
    const holder = randomUUID();
    const now = new Date();
    const taken = await this.leases.take(RECONCILIATION_JOB, holder, new Date(now.getTime() + LEASE_MS), {
      now,
      ...condition,
    });
    if (!taken) return null;
    const lease = { lost: false };
    const renewal = setInterval(() => {
      this.leases.renew(RECONCILIATION_JOB, holder, new Date(Date.now() + LEASE_MS)).then(
        (held) => {
          if (!held) lease.lost = true;
        },
        // A renewal that fails (the database is away) is tried again; the lease has time left.
        (error: unknown) => this.logger.warn({ err: error }, 'reconciliation lease not renewed'),
      );
    }, LEASE_MS / 3);
    renewal.unref();
    let finished: Date | null = null;
    try {
      const report = await work(lease);
      if (!report.interrupted) finished = new Date(report.finishedAt);
      return report;
    } finally {
      clearInterval(renewal);
      await this.leases.release(RECONCILIATION_JOB, holder, finished);
    }
  }

  /** One round; `interrupted` when told to stop between customers (lease lost, shutdown). */
  private async round(accountId: string | undefined, stop: () => boolean): Promise<ReconciliationReport> {
    const startedAt = new Date();
    const report: ReconciliationReport = {
      startedAt: startedAt.toISOString(),
      finishedAt: startedAt.toISOString(),
      customers: 0,
      subscriptions: 0,
      repaired: [],
      failed: [],
      interrupted: false,
    };
    for (let afterId: string | undefined; ;) {
      const page = await this.customers.listCreated({ accountId, afterId, limit: PAGE_SIZE });
      for (const customer of page) {
        if (stop()) {
          report.interrupted = true;
          break;
        }
        await this.compareCustomer(customer, report);
      }
      if (report.interrupted || page.length < PAGE_SIZE) break;
      afterId = page[page.length - 1].id;
    }
    report.finishedAt = new Date().toISOString();
    const byMode = new Map<string, number>();
    for (const repair of report.repaired) byMode.set(repair.mode, (byMode.get(repair.mode) ?? 0) + 1);
    for (const [mode, count] of byMode) this.metrics.reconciliationRepaired(mode, count);
    return report;
  }

  private async compareCustomer(customer: CustomerRecord, report: ReconciliationReport): Promise<void> {
    const mode = customer.mode as ProviderMode;
    const providerCustomerId = customer.providerCustomerId!;
    const where = { accountId: customer.accountId, mode, customerId: providerCustomerId };
    // A mode the service has no credentials for any more cannot be asked about.
    if (!this.provider.supportsMode(mode)) return;
    let listed: FetchedSubscription[];
    try {
      listed = await this.provider.listSubscriptions(mode, providerCustomerId);
    } catch (error) {
      report.failed.push({ ...where, error: messageOf(error) });
      return;
    }
    report.customers++;
    for (const fetched of listed) {
      const subscriptionId = fetched.subscription.id;
      // Only what the provider says is this customer's (a listing never says otherwise).
      if (fetched.subscription.customerId !== providerCustomerId) continue;
      report.subscriptions++;
      try {
        const { repaired, created } = await this.db.transaction((tx) =>
          this.state.reconcile(fetched, { accountId: customer.accountId, customerId: customer.id, mode }, tx),
        );
        if (repaired.length > 0)
          report.repaired.push({
            accountId: customer.accountId,
            mode,
            subscriptionId,
            created,
            fields: repaired,
          });
      } catch (error) {
        report.failed.push({ ...where, subscriptionId, error: messageOf(error) });
      }
    }
  }
}

/**
 * What went wrong, for the operator who reads the report: the service's message and what the
 * provider said (its message names the object it could not find), secrets taken out.
 */
function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return redactSecrets(String(error));
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return redactSecrets(`${error.message}${cause}`);
}
