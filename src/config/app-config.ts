import { OriginRule } from '../common/redirect/origin-rule';

export type DatabaseConfig =
  | { kind: 'sqlite'; path: string }
  /** `preparedStatements`: named prepared statements (off behind PgBouncer in transaction mode < 1.21). */
  | { kind: 'postgres'; url: string; preparedStatements: boolean };

export type ProviderName = 'stripe' | 'sandbox';

/** JSON lines for machines, or pino-pretty's coloured lines for a person at a terminal. */
export type LogFormat = 'json' | 'pretty';

/** Which credential set a request uses: the main one, or the test-mode one (`?testMode=true`). */
export type ProviderMode = 'live' | 'test';

export interface StripeCredentials {
  secretKey: string;
  webhookSecret: string;
}

/**
 * What one call to the payment provider may take, whatever the provider: the time per attempt
 * and how many times a failed attempt is retried.
 */
export interface ProviderCallConfig {
  timeoutMs: number;
  maxNetworkRetries: number;
}

export interface JwtConfig {
  secret?: string;
  jwksUri?: string;
  issuer?: string;
  audience?: string;
  algorithms: string[];
  /** The longest lifetime a token may have: `exp` minus `iat` (or minus now, if that is more). */
  maxLifetimeSeconds: number;
}

/** An endpoint outbound events go to (EVENT_ENDPOINTS), with its Standard Webhooks secret. */
export interface EventEndpointConfig {
  url: string;
  secret: string;
}

/** Outbound events: where they go and how their deliveries are retried. */
export interface EventsConfig {
  endpoints: EventEndpointConfig[];
  /** How long a delivery is retried before it is parked (EVENT_RETRY_FOR, 3 days). */
  retryForMs: number;
  /** How long delivered events stay in the pull feed (EVENT_RETENTION, 30 days). */
  retentionMs: number;
  /** What one delivery attempt may take. */
  timeoutMs: number;
  /** The first retry's delay; each next one doubles it (with jitter), up to an hour. */
  retryBaseMs: number;
  /** How often a dispatcher looks for due deliveries besides being woken by a commit. */
  pollMs: number;
}

/** The validated configuration of one service instance (the README's configuration table). */
export class AppConfig {
  port!: number;
  host!: string;
  publicUrl!: string;
  database!: DatabaseConfig;
  provider!: ProviderName;
  stripe!: {
    apiUrl?: URL;
    credentials: Partial<Record<ProviderMode, StripeCredentials>>;
  };
  providerCalls!: ProviderCallConfig;
  subscriptionPriceId!: string;
  trialDays!: number;
  allowedPriceIds!: ReadonlySet<string> | null;
  allowedRedirectOrigins!: OriginRule[];
  jwt!: JwtConfig | null;
  rateLimitPerMinute!: number;
  redisUrl?: string;
  corsOrigins!: string[];
  logLevel!: string;
  /** LOG_FORMAT; unset: pretty when stdout is a terminal, JSON lines otherwise. */
  logFormat?: LogFormat;
  apiKeyCacheTtlMs!: number;
  priceCacheTtlMs!: number;
  shutdownGraceMs!: number;
  events!: EventsConfig;
  /** Reconciliation with the provider: the periodic job's interval (SYNC_INTERVAL_MINUTES), null when off. */
  sync!: { intervalMs: number | null };
  /** The bearer token of `GET /metrics`; unset: no metrics endpoint. */
  metricsToken?: string;
}
