import { Injectable } from '@nestjs/common';

/** What a readiness check answers: `up` or `down`, with whatever detail helps an operator. */
export type ReadinessResult = { status: 'up' | 'down' } & Record<string, unknown>;

export type ReadinessCheck = () => Promise<ReadinessResult>;

/** Names GET /health uses for parts of its own; a check cannot take them. */
const RESERVED = new Set(['database']);

const NAME = /^[a-z][a-z0-9_-]{0,39}$/;

/**
 * The parts besides the database that GET /health reports (docs/metrics.md#readiness): a module
 * that the service is not ready without registers a check here, once, at start (`onModuleInit`).
 * Each check is run on every health request, bounded in time; one that is `down`, throws or does
 * not answer in time makes the answer 503 with its name under `error`.
 */
@Injectable()
export class ReadinessChecks {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    if (!NAME.test(name) || RESERVED.has(name)) throw new Error(`not a readiness check name: ${name}`);
    if (this.checks.has(name)) throw new Error(`readiness check ${name} is registered already`);
    this.checks.set(name, check);
  }

  /** The checks in the order they were registered. */
  all(): ReadonlyArray<readonly [string, ReadinessCheck]> {
    return [...this.checks];
  }
}
