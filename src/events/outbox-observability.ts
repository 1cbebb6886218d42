import { Injectable, OnModuleInit } from '@nestjs/common';
import { ReadinessChecks, ReadinessResult } from '../health/readiness-checks';
import { MetricsService } from '../metrics/metrics.service';
import { EventDeliveriesRepository } from './event-deliveries.repository';
import { EventDispatcher } from './event-dispatcher.service';

/**
 * The outbox as /metrics and /health show it: deliveries by endpoint (its id, never its URL) and
 * outcome, the backlog and the age of the oldest undelivered event read at scrape, and the
 * dispatcher's readiness.
 */
@Injectable()
export class OutboxObservability implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly readiness: ReadinessChecks,
    private readonly dispatcher: EventDispatcher,
    private readonly deliveries: EventDeliveriesRepository,
  ) {}

  onModuleInit(): void {
    this.dispatcher.onAttempt = (endpoint, outcome, seconds) =>
      this.metrics.eventDelivery(endpoint, outcome, seconds);
    // The three gauges of one scrape share one read of the backlog.
    let reading: { at: number; rows: ReturnType<EventDeliveriesRepository['backlog']> } | undefined;
    const backlog = () => {
      if (!reading || Date.now() - reading.at > 500)
        reading = { at: Date.now(), rows: this.deliveries.backlog() };
      const { rows } = reading;
      rows.catch(() => (reading = undefined));
      return rows;
    };
    this.metrics.registerCollector({
      name: 'billing_outbox_pending_deliveries',
      help: 'Outbound event deliveries waiting to be sent (or sent again), by endpoint',
      labelNames: ['endpoint'],
      collect: async () =>
        (await backlog()).map((row) => ({ labels: { endpoint: row.endpointId }, value: row.pending })),
    });
    this.metrics.registerCollector({
      name: 'billing_outbox_parked_deliveries',
      help: 'Outbound event deliveries parked after their retry window, by endpoint',
      labelNames: ['endpoint'],
      collect: async () =>
        (await backlog()).map((row) => ({ labels: { endpoint: row.endpointId }, value: row.parked })),
    });
    this.metrics.registerCollector({
      name: 'billing_outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest undelivered outbound event, by endpoint',
      labelNames: ['endpoint'],
      collect: async () =>
        (await backlog())
          .filter((row) => row.oldestPendingAt)
          .map((row) => ({
            labels: { endpoint: row.endpointId },
            value: Math.max(0, (Date.now() - row.oldestPendingAt!.getTime()) / 1000),
          })),
    });
    this.readiness.register('outbox', () => {
      const status = this.dispatcher.status();
      // A database fault is the database check's to report; the dispatcher is down only when it stopped.
      const result: ReadinessResult = status.running
        ? {
            status: 'up',
            endpoints: status.endpoints,
            ...(status.lastError ? { lastError: status.lastError } : {}),
          }
        : { status: 'down', endpoints: status.endpoints, message: 'the dispatcher is not running' };
      return Promise.resolve(result);
    });
  }
}
