import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { API_KEY_REVOKED_CHANNEL, ApiKeyRevocations } from '../accounts/api-key-revocations';
import { sql } from 'kysely';
import { Database } from '../database/database';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { ListenerHeartbeat } from './listener-heartbeat';
import {
  ACCOUNT_CHANGED_CHANNEL,
  CurrentSubscriptionCache,
} from '../subscriptions/current-subscription-cache';

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

/** How often the listener's instance sends itself a heartbeat. */
const HEARTBEAT_INTERVAL_MS = 1_000;

/**
 * The API key cache is used only while the newest heartbeat the listener heard was sent within
 * this bound, so it is the longest a revoked key can still pass on an instance whose listener
 * missed the NOTIFY. Three heartbeat intervals: a heartbeat that waits up to 2 s for a pooled
 * connection (the pool's connect timeout) or a short pause of the event loop does not turn the
 * cache off, while a listener that went silent loses it within 3 s instead of a cache lifetime.
 */
export const HEARTBEAT_TRUST_MS = 3 * HEARTBEAT_INTERVAL_MS;

/** A connection that hears nothing for this long, while heartbeats go out, is given up and made anew. */
const SILENT_RECONNECT_MS = 10_000;

/** How long a given-up connection may take to close before its socket is destroyed. */
const END_GRACE_MS = 1_000;

/**
 * On PostgreSQL: LISTENs for revoked API keys on a connection of its own, so that a key revoked
 * anywhere (another instance, the admin command line) stops working everywhere at once; and, on
 * the same connection, for accounts whose records changed, so that every instance forgets their
 * cached current subscription (CurrentSubscriptionCache).
 *
 * A LISTEN connection can go deaf without closing (a silent network partition, a dropped NAT
 * entry), and a NOTIFY it misses would leave a revoked key valid for the cache's lifetime. So the
 * listener proves it hears: every second this instance sends a heartbeat on the channel through
 * the pool (another connection, so that the server-to-listener path is what is proven) and the
 * cache is trusted only while the listener hears them (see ListenerHeartbeat). A connection that
 * has heard nothing for SILENT_RECONNECT_MS is replaced.
 */
@Injectable()
export class PostgresRevocationListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PostgresRevocationListener.name);
  private readonly heartbeat = new ListenerHeartbeat({ boundMs: HEARTBEAT_TRUST_MS });
  private client?: Client;
  /** Set once LISTEN has been accepted on `client`. */
  private listeningSince?: number;
  private retryTimer?: NodeJS.Timeout;
  private heartbeatTimer?: NodeJS.Timeout;
  private retryDelay = RETRY_MIN_MS;
  private sending = false;
  private cacheTrusted = false;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly db: Database,
    private readonly revocations: ApiKeyRevocations,
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly subscriptions: CurrentSubscriptionCache,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.dataSource.options.type !== 'postgres') return;
    this.authenticator.trustCacheWhile(() => this.isCurrent());
    this.subscriptions.trustWhile(() => this.isCurrent());
    this.heartbeatTimer = setInterval(() => void this.tick(), HEARTBEAT_INTERVAL_MS).unref();
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.heartbeatTimer);
    this.authenticator.trustCacheWhile(null);
    this.subscriptions.trustWhile(null);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private isCurrent(): boolean {
    return this.listeningSince !== undefined && this.heartbeat.isCurrent();
  }

  private async connect(): Promise<void> {
    const options = this.dataSource.options as { url?: string };
    const client = new Client({
      connectionString: options.url,
      connectionTimeoutMillis: 2_000,
      keepAlive: true,
    });
    client.on('error', (error) => this.giveUp(client, error));
    client.on('end', () => this.giveUp(client));
    client.on('notification', (message) => {
      if (!message.payload) return;
      if (message.channel === ACCOUNT_CHANGED_CHANNEL) this.subscriptions.forget(message.payload);
      else if (message.channel !== API_KEY_REVOKED_CHANNEL) return;
      else if (this.heartbeat.hear(message.payload)) this.report();
      else this.revocations.announce(message.payload);
    });
    try {
      this.client = client;
      this.heartbeat.reset();
      await client.connect();
      // One connection for both channels: PostgreSQL delivers a connection's notifications in
      // commit order whatever their channel, so the heartbeats prove both.
      await client.query(`LISTEN ${API_KEY_REVOKED_CHANNEL}; LISTEN ${ACCOUNT_CHANGED_CHANNEL}`);
      if (this.client !== client) return;
      this.listeningSince = Date.now();
      this.retryDelay = RETRY_MIN_MS;
      // The first heartbeat now, so that the cache is on within a round trip.
      void this.tick();
    } catch (error) {
      this.giveUp(client, error);
    }
  }

  /** Leaves a connection that failed, ended or went silent, and makes another one later. */
  private giveUp(client: Client, error?: unknown, message = 'revocation listener lost its connection'): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.listeningSince = undefined;
    this.heartbeat.reset();
    // Revocations and changes may have gone unheard since the rows in the caches were read.
    this.authenticator.forgetCachedKeys();
    this.subscriptions.clear();
    this.report();
    this.logger.warn({ err: error }, `${message}; API key cache off`);
    const socket = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection
      ?.stream;
    // A silent connection may never finish closing: its socket goes after a grace period.
    const destroy = setTimeout(() => socket?.destroy(), END_GRACE_MS).unref();
    client
      .end()
      .catch(() => undefined)
      .finally(() => clearTimeout(destroy));
    this.retryLater();
  }

  private retryLater(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, this.retryDelay).unref();
    this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS);
  }

  /** Sends a heartbeat through the pool, after giving up a connection that has heard nothing for too long. */
  private async tick(): Promise<void> {
    this.report();
    const client = this.client;
    if (this.stopped || !client || this.listeningSince === undefined || this.sending) return;
    const silentMs = Math.min(this.heartbeat.silentForMs(), Date.now() - this.listeningSince);
    if (silentMs > SILENT_RECONNECT_MS) {
      this.giveUp(
        client,
        new Error(`no heartbeat heard for ${silentMs} ms`),
        'revocation listener hears nothing on its connection; connecting again',
      );
      return;
    }
    this.sending = true;
    try {
      await this.db.rows(sql`SELECT pg_notify(${API_KEY_REVOKED_CHANNEL}, ${this.heartbeat.next()})`);
    } catch {
      // Not sent, so not heard: the cache goes off by itself, and the database's failure is
      // answered (and logged) where requests meet it.
    } finally {
      this.sending = false;
    }
  }

  /** Logs when the cache goes on or off. */
  private report(): void {
    const trusted = this.isCurrent();
    if (trusted === this.cacheTrusted) return;
    this.cacheTrusted = trusted;
    if (trusted) this.logger.log('revocation listener hears its heartbeat; API key cache on');
    else if (this.listeningSince !== undefined)
      this.logger.warn(
        { silentMs: Math.round(this.heartbeat.silentForMs()) },
        'revocation listener has not heard its heartbeat in time; API key cache off',
      );
  }
}
