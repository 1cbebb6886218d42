import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { API_KEY_REVOKED_CHANNEL, ApiKeyRevocations } from '../accounts/api-key-revocations';
import { ApiKeyAuthenticator } from './api-key-authenticator';

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

/**
 * On PostgreSQL: LISTENs for revoked API keys on a connection of its own, so that a key revoked
 * anywhere (another instance, the admin command line) stops working everywhere at once. While
 * the connection is up the API key cache is on; when it drops the cache is cleared and off until
 * the listener is back.
 */
@Injectable()
export class PostgresRevocationListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PostgresRevocationListener.name);
  private client?: Client;
  private retryTimer?: NodeJS.Timeout;
  private retryDelay = RETRY_MIN_MS;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly revocations: ApiKeyRevocations,
    private readonly authenticator: ApiKeyAuthenticator,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.dataSource.options.type !== 'postgres') return;
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.authenticator.setCaching(false);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const options = this.dataSource.options as { url?: string };
    const client = new Client({
      connectionString: options.url,
      connectionTimeoutMillis: 2_000,
      keepAlive: true,
    });
    const lost = (error?: unknown) => {
      if (this.client !== client) return;
      this.client = undefined;
      this.authenticator.setCaching(false);
      if (error)
        this.logger.warn({ err: error }, 'revocation listener lost its connection; API key cache off');
      client.end().catch(() => undefined);
      this.retryLater();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      if (message.channel === API_KEY_REVOKED_CHANNEL && message.payload)
        this.revocations.announce(message.payload);
    });
    try {
      this.client = client;
      await client.connect();
      await client.query(`LISTEN ${API_KEY_REVOKED_CHANNEL}`);
      this.retryDelay = RETRY_MIN_MS;
      this.authenticator.setCaching(true);
    } catch (error) {
      lost(error);
    }
  }

  private retryLater(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, this.retryDelay).unref();
    this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS);
  }
}
