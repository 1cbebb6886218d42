import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ReconciliationService } from './reconciliation.service';

/** How often an instance asks whether a round is due, at most (an interval shorter than this: that). */
const CHECK_EVERY_MS = 60_000;

/**
 * The periodic reconciliation round (SYNC_INTERVAL_MINUTES, off by default). Every instance asks
 * now and then whether a round is due; the one that takes the job's lease runs it, so the
 * instances sharing a database run one round per interval between them, never two at once.
 */
@Injectable()
export class ReconciliationJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReconciliationJob.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopping = false;

  constructor(
    private readonly config: AppConfig,
    private readonly reconciliation: ReconciliationService,
  ) {}

  onApplicationBootstrap(): void {
    const intervalMs = this.config.sync.intervalMs;
    if (intervalMs === null) return;
    const checkMs = Math.min(intervalMs, CHECK_EVERY_MS);
    // Instances started together spread their asking over the first check.
    this.schedule(intervalMs, checkMs * Math.random());
  }

  /** Stops asking, and lets a running round stop at its next customer. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(intervalMs: number, delayMs: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.running = this.tick(intervalMs).finally(() => {
        this.running = null;
        this.schedule(intervalMs, Math.min(intervalMs, CHECK_EVERY_MS));
      });
    }, delayMs);
    this.timer.unref();
  }

  private async tick(intervalMs: number): Promise<void> {
    try {
      const report = await this.reconciliation.runIfDue(intervalMs, () => this.stopping);
      if (!report) return;
      const summary = {
        customers: report.customers,
        subscriptions: report.subscriptions,
        repaired: report.repaired.length,
        failed: report.failed.length,
        interrupted: report.interrupted,
      };
      if (report.repaired.length > 0 || report.failed.length > 0)
        this.logger.warn(
          { ...summary, repairs: report.repaired, failures: report.failed },
          'reconciliation round',
        );
      else this.logger.log(summary, 'reconciliation round');
    } catch (error) {
      this.logger.error({ err: error }, 'reconciliation round failed');
    }
  }
}
