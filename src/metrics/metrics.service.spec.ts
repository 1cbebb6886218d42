import { AppConfig } from '../config/app-config';
import { MetricsService } from './metrics.service';

describe(MetricsService.name, () => {
  const metricsOff = {} as AppConfig;

  it('should keep its metrics in its own registry, so that two instances do not collide', async () => {
    const first = new MetricsService(metricsOff);
    const second = new MetricsService(metricsOff);
    first.providerCall('createCustomer', 'ok', 0.2, 1);

    expect((await first.exposition()).body).toContain(
      'billing_provider_calls_total{operation="createCustomer",outcome="ok"} 1',
    );
    expect((await second.exposition()).body).not.toContain('operation="createCustomer"');
  });

  it('should read a registered gauge at each scrape, with its labels', async () => {
    const sut = new MetricsService(metricsOff);
    let backlog = 4;
    sut.registerCollector({
      name: 'billing_outbox_pending_events',
      help: 'Events not delivered yet',
      labelNames: ['endpoint'],
      collect: () => [{ labels: { endpoint: 'crm' }, value: backlog }],
    });

    expect((await sut.exposition()).body).toContain('billing_outbox_pending_events{endpoint="crm"} 4');
    backlog = 0;
    expect((await sut.exposition()).body).toContain('billing_outbox_pending_events{endpoint="crm"} 0');
  });

  it('should leave a gauge whose collection fails out of that scrape, and keep the rest', async () => {
    const sut = new MetricsService(metricsOff);
    let fail = false;
    sut.registerCollector({
      name: 'billing_outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest undelivered event',
      collect: () => (fail ? Promise.reject(new Error('database gone')) : Promise.resolve([{ value: 12 }])),
    });
    sut.reconciliationRepaired('live', 2);

    expect((await sut.exposition()).body).toContain('billing_outbox_oldest_pending_age_seconds 12');
    fail = true;
    const body = (await sut.exposition()).body;
    expect(body).not.toContain('billing_outbox_oldest_pending_age_seconds 12');
    expect(body).toContain('billing_reconciliation_repairs_total{mode="live"} 2');
  });

  it('should refuse a collected gauge outside the prefix, with a counter suffix, or named twice', () => {
    const sut = new MetricsService(metricsOff);
    const gauge = (name: string) => ({ name, help: 'h', collect: () => [] });
    sut.registerCollector(gauge('billing_queue_depth'));

    expect(() => sut.registerCollector(gauge('queue_depth'))).toThrow(/billing_/);
    expect(() => sut.registerCollector(gauge('billing_queue_total'))).toThrow(/_total/);
    expect(() => sut.registerCollector(gauge('billing_queue_depth'))).toThrow();
  });

  it('should collect the process metrics only when the endpoint is on', async () => {
    const on = new MetricsService({ metricsToken: 'x'.repeat(16) } as AppConfig);
    const off = new MetricsService(metricsOff);

    expect((await on.exposition()).body).toContain('process_cpu_user_seconds_total');
    expect((await off.exposition()).body).not.toContain('process_cpu_user_seconds_total');
  });
});
