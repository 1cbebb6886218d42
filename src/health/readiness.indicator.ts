import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { ReadinessCheck, ReadinessChecks, ReadinessResult } from './readiness-checks';

/** How long a registered check may take before it counts as down. */
const CHECK_TIMEOUT_MS = 1_500;

/** Runs the registered readiness checks as terminus indicators, each bounded in time. */
@Injectable()
export class ReadinessIndicator {
  private readonly logger = new Logger('Health');
  private readonly lastUp = new Map<string, boolean>();

  constructor(
    private readonly checks: ReadinessChecks,
    private readonly health: HealthIndicatorService,
  ) {}

  indicators(): Array<() => Promise<HealthIndicatorResult>> {
    return this.checks.all().map(
      ([name, check]) =>
        () =>
          this.run(name, check),
    );
  }

  private async run(name: string, check: ReadinessCheck): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(name);
    const { status, ...detail } = await this.answer(name, check);
    if (this.lastUp.get(name) !== (status === 'up')) {
      const wasKnown = this.lastUp.has(name);
      this.lastUp.set(name, status === 'up');
      if (status === 'down') this.logger.warn({ check: name, ...detail }, `readiness: ${name} is down`);
      else if (wasKnown) this.logger.log({ check: name }, `readiness: ${name} is up again`);
    }
    return status === 'up' ? indicator.up(detail) : indicator.down(detail);
  }

  private async answer(name: string, check: ReadinessCheck): Promise<ReadinessResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<ReadinessResult>((resolve) => {
      timer = setTimeout(
        () => resolve({ status: 'down', message: `The ${name} check did not answer in time` }),
        CHECK_TIMEOUT_MS,
      );
    });
    try {
      return await Promise.race([check(), timeout]);
    } catch (error) {
      this.logger.warn({ err: error, check: name }, 'a readiness check failed');
      return { status: 'down', message: `The ${name} check failed` };
    } finally {
      clearTimeout(timer);
    }
  }
}
