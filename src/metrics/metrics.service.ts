import { Injectable, Logger } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';

/** Every metric of the service starts with it (docs/metrics.md). */
export const METRIC_PREFIX = 'billing_';

/** A request no route took: one label value, whatever the path, so that series stay bounded. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Request and provider-call durations: from a cache hit to a call that used up its retries. */
const CALL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** From the event's creation at the provider to its arrival: seconds, up to the provider's days of retries. */
const LAG_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3_600, 21_600, 86_400, 259_200];

/** One value of a gauge that a collector reports at scrape time. */
export interface CollectedValue<Label extends string = string> {
  labels?: Partial<Record<Label, string>>;
  value: number;
}

/** A gauge whose values are read when Prometheus scrapes (a backlog, a pool, an age). */
export interface CollectorDefinition<Label extends string = string> {
  /** The full metric name, starting with `billing_` (a gauge: no `_total` suffix). */
  name: string;
  help: string;
  labelNames?: readonly Label[];
  /**
   * Reads the current values. Called once per scrape, with the scrape waiting for it: keep it
   * to one cheap query. A failure (or a value of NaN) leaves this gauge out of that scrape only.
   */
  collect: () => Promise<CollectedValue<Label>[]> | CollectedValue<Label>[];
}

/**
 * The service's metrics, in a registry of its own (not prom-client's global one, so that several
 * applications in one process each count their own). Features record through the typed methods
 * below; `GET /metrics` (MetricsController) renders the registry in Prometheus' text format.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly logger = new Logger('Metrics');

  private readonly httpRequests = new Counter({
    name: 'billing_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly httpDuration = new Histogram({
    name: 'billing_http_request_duration_seconds',
    help: 'Time from receiving a request to sending its response, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: CALL_BUCKETS,
    registers: [this.registry],
  });
  private readonly providerCalls = new Counter({
    name: 'billing_provider_calls_total',
    help: 'Calls to the payment provider, by operation and outcome (ok, or the error code)',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly providerDuration = new Histogram({
    name: 'billing_provider_call_duration_seconds',
    help: 'Time a call to the payment provider took, retries and their backoff included',
    labelNames: ['operation', 'outcome'] as const,
    buckets: CALL_BUCKETS,
    registers: [this.registry],
  });
  private readonly providerRetries = new Counter({
    name: 'billing_provider_call_retries_total',
    help: 'Attempts repeated within calls to the payment provider (network failures, 5xx, 409, 429)',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });
  private readonly webhookEvents = new Counter({
    name: 'billing_webhook_events_total',
    help:
      'Webhook deliveries, by event type and outcome (applied, duplicate, ignored, rejected, refused, failed); ' +
      'refused deliveries failed verification and are counted under type "unverified"',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly webhookLag = new Histogram({
    name: 'billing_webhook_lag_seconds',
    help: "Time from a verified event's creation at the provider (its clock) to its arrival here",
    buckets: LAG_BUCKETS,
    registers: [this.registry],
  });
  private readonly eventDeliveries = new Counter({
    name: 'billing_event_deliveries_total',
    help: 'Outbound event deliveries attempted, by endpoint and outcome',
    labelNames: ['endpoint', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly eventDeliveryDuration = new Histogram({
    name: 'billing_event_delivery_duration_seconds',
    help: 'Time an outbound event delivery attempt took, by endpoint and outcome',
    labelNames: ['endpoint', 'outcome'] as const,
    buckets: CALL_BUCKETS,
    registers: [this.registry],
  });
  private readonly reconciliationRepairs = new Counter({
    name: 'billing_reconciliation_repairs_total',
    help: 'Records reconciliation with the provider repaired, by mode (live, test)',
    labelNames: ['mode'] as const,
    registers: [this.registry],
  });

  constructor(config: AppConfig) {
    // The process's own metrics (CPU, memory, event loop, GC), only where they can be read: the
    // event-loop and GC monitors they start are not worth running for nobody.
    if (config.metricsToken) collectDefaultMetrics({ register: this.registry });
  }

  /** One answered HTTP request; `route` is the route's template (UNMATCHED_ROUTE for none). */
  httpRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  /**
   * One call through the PaymentProvider port: `operation` is the port's method, `outcome` `ok`
   * or the error code it failed with, `retries` the attempts it repeated.
   */
  providerCall(operation: string, outcome: string, seconds: number, retries: number): void {
    this.providerCalls.inc({ operation, outcome });
    this.providerDuration.observe({ operation, outcome }, seconds);
    // Zero too, so that every operation has a series to take a rate of.
    this.providerRetries.inc({ operation }, retries);
  }

  /**
   * One webhook delivery: its event type (only once verified: an unverified body names what it
   * likes) and outcome; `lagSeconds` from the event's creation, for a verified delivery.
   */
  webhookEvent(type: string, outcome: WebhookIntakeOutcome, lagSeconds?: number): void {
    this.webhookEvents.inc({ type, outcome });
    if (lagSeconds !== undefined) this.webhookLag.observe(Math.max(0, lagSeconds));
  }

  /** One attempt to deliver an outbound event to an endpoint (its configured name, not its URL). */
  eventDelivery(endpoint: string, outcome: string, seconds: number): void {
    this.eventDeliveries.inc({ endpoint, outcome });
    this.eventDeliveryDuration.observe({ endpoint, outcome }, seconds);
  }

  /** Records reconciliation repaired (`count` of them, in the live or the test mode). */
  reconciliationRepaired(mode: string, count = 1): void {
    this.reconciliationRepairs.inc({ mode }, count);
  }

  /**
   * Adds a gauge read at scrape time, for state another module owns (the outbox's backlog and
   * the age of its oldest undelivered event, say). Names are unique: registering one twice throws.
   */
  registerCollector<Label extends string>(definition: CollectorDefinition<Label>): void {
    if (!definition.name.startsWith(METRIC_PREFIX) || definition.name.endsWith('_total')) {
      throw new Error(`a collected gauge is named ${METRIC_PREFIX}…, without _total: ${definition.name}`);
    }
    const logger = this.logger;
    new Gauge<Label>({
      name: definition.name,
      help: definition.help,
      labelNames: definition.labelNames ?? [],
      registers: [this.registry],
      async collect() {
        this.reset();
        let values: CollectedValue<Label>[];
        try {
          values = await definition.collect();
        } catch (error) {
          logger.warn({ err: error, metric: definition.name }, 'a metric could not be collected');
          return;
        }
        for (const { labels, value } of values) {
          if (Number.isFinite(value)) this.set((labels ?? {}) as Partial<Record<Label, string>>, value);
        }
      },
    });
  }

  /** The registry in Prometheus' text exposition format. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

export type WebhookIntakeOutcome = 'applied' | 'duplicate' | 'ignored' | 'rejected' | 'refused' | 'failed';
