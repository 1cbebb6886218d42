import { Injectable, OnModuleInit } from '@nestjs/common';
import { Database, PoolUsage } from '../database/database';
import { MetricsService } from './metrics.service';

const GAUGES: Array<{ name: string; help: string; read: (usage: PoolUsage) => number }> = [
  {
    name: 'billing_db_pool_connections',
    help: 'Open connections of the database pool (PostgreSQL), idle or in use',
    read: (usage) => usage.total,
  },
  {
    name: 'billing_db_pool_idle_connections',
    help: 'Idle connections of the database pool (PostgreSQL)',
    read: (usage) => usage.idle,
  },
  {
    name: 'billing_db_pool_waiting_requests',
    help: 'Requests waiting for a connection of the database pool (PostgreSQL): every connection is in use',
    read: (usage) => usage.waiting,
  },
  {
    name: 'billing_db_pool_max_connections',
    help: 'The most connections the database pool (PostgreSQL) opens',
    read: (usage) => usage.max,
  },
];

/**
 * The PostgreSQL pool's use, read at each scrape. SQLite has one connection that its statements
 * take in turn and no pool to report, so there these metrics are absent.
 */
@Injectable()
export class DatabasePoolMetrics implements OnModuleInit {
  constructor(
    private readonly db: Database,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    if (this.db.poolUsage() === null) return;
    for (const { name, help, read } of GAUGES) {
      this.metrics.registerCollector({
        name,
        help,
        collect: () => {
          const usage = this.db.poolUsage();
          return usage ? [{ value: read(usage) }] : [];
        },
      });
    }
  }
}
