import { OriginRule } from '../common/redirect/origin-rule';
import {
  AppConfig,
  DatabaseConfig,
  EventEndpointConfig,
  JwtConfig,
  ProviderMode,
  ProviderName,
  StripeCredentials,
} from './app-config';

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

type Env = Record<string, string | undefined>;

const SANDBOX_DEFAULT_PRICE_ID = 'price_sandbox_monthly';
const JWT_MAX_LIFETIME_DEFAULT_SECONDS = 24 * 3600;
const JWT_MAX_LIFETIME_MAX_SECONDS = 365 * 24 * 3600;
const DURATION = /^(\d{1,9})([smhd]?)$/;
const DURATION_UNIT_SECONDS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 };
const STRIPE_TRIAL_DAYS_MAX = 730;

/**
 * Reads and validates the environment (the README's configuration table). Every bad variable is collected and
 * reported in one error, so an operator fixes them all in one go.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return Number(raw);
  };
  const list = (name: string): string[] | undefined =>
    read(name)
      ?.split(',')
      .map((item) => item.trim())
      .filter(Boolean);

  const port = integer('PORT', 3000, 1, 65535);
  const host = read('HOST') ?? '0.0.0.0';
  const preparedStatements = read('DATABASE_PREPARED_STATEMENTS') ?? 'true';
  if (preparedStatements !== 'true' && preparedStatements !== 'false')
    problems.push(`DATABASE_PREPARED_STATEMENTS must be true or false (got "${preparedStatements}")`);
  const database = parseDatabase(read('DATABASE_URL') ?? 'sqlite:./data/billing.sqlite', problems, {
    preparedStatements: preparedStatements !== 'false',
  });

  const secretKey = read('STRIPE_SECRET_KEY');
  const providerRaw = read('PAYMENT_PROVIDER') ?? (secretKey ? 'stripe' : 'sandbox');
  let provider: ProviderName = 'sandbox';
  if (providerRaw === 'stripe' || providerRaw === 'sandbox') provider = providerRaw;
  else problems.push(`PAYMENT_PROVIDER must be "stripe" or "sandbox" (got "${providerRaw}")`);

  const credentials: Partial<Record<ProviderMode, StripeCredentials>> = {};
  const live = stripeCredentials(
    {
      keyName: 'STRIPE_SECRET_KEY',
      secretName: 'STRIPE_WEBHOOK_SECRET',
      secretKey,
      webhookSecret: read('STRIPE_WEBHOOK_SECRET'),
      required: provider === 'stripe',
    },
    problems,
  );
  if (live) credentials.live = live;
  const test = stripeCredentials(
    {
      keyName: 'STRIPE_TEST_SECRET_KEY',
      secretName: 'STRIPE_TEST_WEBHOOK_SECRET',
      secretKey: read('STRIPE_TEST_SECRET_KEY'),
      webhookSecret: read('STRIPE_TEST_WEBHOOK_SECRET'),
      required: false,
    },
    problems,
  );
  if (test) credentials.test = test;

  let apiUrl: URL | undefined;
  const apiUrlRaw = read('STRIPE_API_URL');
  if (apiUrlRaw !== undefined) {
    apiUrl = parseHttpUrl(apiUrlRaw);
    if (!apiUrl) problems.push(`STRIPE_API_URL must be an http(s) URL (got "${apiUrlRaw}")`);
  }

  let subscriptionPriceId = read('SUBSCRIPTION_PRICE_ID');
  if (subscriptionPriceId === undefined) {
    if (provider === 'stripe')
      problems.push('SUBSCRIPTION_PRICE_ID is required with PAYMENT_PROVIDER=stripe');
    subscriptionPriceId = SANDBOX_DEFAULT_PRICE_ID;
  } else if (!/^[A-Za-z0-9_-]{1,200}$/.test(subscriptionPriceId)) {
    problems.push(`SUBSCRIPTION_PRICE_ID is not a price id (got "${subscriptionPriceId}")`);
  }

  const trialDays = integer('TRIAL_DAYS', 30, 0, STRIPE_TRIAL_DAYS_MAX);

  const allowedPriceList = list('ALLOWED_PRICE_IDS');
  const allowedPriceIds = allowedPriceList ? new Set(allowedPriceList) : null;

  const originTexts = list('ALLOWED_REDIRECT_ORIGINS') ?? ['http://localhost:*'];
  const allowedRedirectOrigins: OriginRule[] = [];
  for (const text of originTexts) {
    const rule = OriginRule.parse(text);
    if (rule) allowedRedirectOrigins.push(rule);
    else problems.push(`ALLOWED_REDIRECT_ORIGINS has an entry that is not an http(s) origin: "${text}"`);
  }

  const jwt = parseJwt(read, problems);

  const rateLimitPerMinute = integer('RATE_LIMIT_PER_MINUTE', 600, 1, 10_000_000);

  const redisUrl = read('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\/.+/.test(redisUrl)) {
    problems.push('REDIS_URL must be a redis:// or rediss:// URL');
  }

  const corsOrigins = list('CORS_ORIGINS') ?? [];
  for (const origin of corsOrigins) {
    if (origin !== '*' && !OriginRule.parse(origin))
      problems.push(`CORS_ORIGINS has an invalid origin: "${origin}"`);
  }

  const publicUrlRaw = read('PUBLIC_URL') ?? `http://localhost:${port}`;
  const publicUrl = parseHttpUrl(publicUrlRaw);
  if (!publicUrl) problems.push(`PUBLIC_URL must be an http(s) URL (got "${publicUrlRaw}")`);
  // With the sandbox, its landing page (/sandbox/return on the service's own origin) is always a
  // place to come back to, whatever the list says: every user of the list (the redirect policy,
  // the CSP, the admin command line) then sees the same origins.
  if (
    provider === 'sandbox' &&
    publicUrl &&
    !allowedRedirectOrigins.some((rule) => rule.matches(publicUrl))
  ) {
    const own = OriginRule.parse(publicUrl.origin);
    if (own) allowedRedirectOrigins.push(own);
  }

  const metricsToken = read('METRICS_TOKEN');
  if (metricsToken !== undefined && !/^[\x21-\x7e]{16,}$/.test(metricsToken)) {
    // Checked against `Authorization: Bearer <token>`, so it must fit in that header as it is.
    problems.push('METRICS_TOKEN must be at least 16 printable characters, without spaces');
  }

  const logLevel = read('LOG_LEVEL') ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(
      `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${logLevel}")`,
    );
  }

  const logFormat = read('LOG_FORMAT');
  if (logFormat !== undefined && logFormat !== 'json' && logFormat !== 'pretty') {
    problems.push(`LOG_FORMAT must be json or pretty (got "${logFormat}")`);
  }

  const config: AppConfig = {
    port,
    host,
    publicUrl: (publicUrl?.toString() ?? `http://localhost:${port}/`).replace(/\/$/, ''),
    database: database ?? { kind: 'sqlite', path: ':memory:' },
    provider,
    stripe: {
      apiUrl,
      credentials,
    },
    // Named after the provider they were first written for; they bound every provider's calls.
    providerCalls: {
      timeoutMs: integer('STRIPE_TIMEOUT_MS', 10_000, 100, 80_000),
      maxNetworkRetries: integer('STRIPE_MAX_NETWORK_RETRIES', 2, 0, 5),
    },
    subscriptionPriceId,
    trialDays,
    allowedPriceIds,
    allowedRedirectOrigins,
    jwt,
    rateLimitPerMinute,
    redisUrl,
    corsOrigins,
    logLevel,
    logFormat: logFormat === 'json' || logFormat === 'pretty' ? logFormat : undefined,
    apiKeyCacheTtlMs: integer('API_KEY_CACHE_TTL_MS', 5_000, 0, 300_000),
    priceCacheTtlMs: integer('PRICE_CACHE_TTL_MS', 60_000, 0, 3_600_000),
    shutdownGraceMs: integer('SHUTDOWN_GRACE_MS', 10_000, 0, 120_000),
    events: {
      endpoints: parseEventEndpoints(read('EVENT_ENDPOINTS'), problems),
      retryForMs:
        parseDuration('EVENT_RETRY_FOR', read('EVENT_RETRY_FOR'), problems, {
          fallback: 3 * 86_400,
          min: 1,
          max: 30 * 86_400,
          range: '1s to 30d',
        }) * 1000,
      retentionMs:
        parseDuration('EVENT_RETENTION', read('EVENT_RETENTION'), problems, {
          fallback: 30 * 86_400,
          min: 3600,
          max: 3650 * 86_400,
          range: '1h to 3650d',
        }) * 1000,
      timeoutMs: integer('EVENT_DELIVERY_TIMEOUT_MS', 10_000, 100, 60_000),
      retryBaseMs: integer('EVENT_RETRY_BASE_MS', 5_000, 10, 3_600_000),
      pollMs: integer('EVENT_POLL_MS', 1_000, 10, 60_000),
    },
    sync: { intervalMs: parseSyncInterval(read('SYNC_INTERVAL_MINUTES'), problems) },
    metricsToken,
  };
  if (config.events.retentionMs < config.events.retryForMs)
    problems.push(
      'EVENT_RETENTION must be at least EVENT_RETRY_FOR (events are kept while they are retried)',
    );
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return config;
}

/** A week: a longer interval leaves a missed webhook unrepaired for longer than anyone would want. */
const MAX_SYNC_INTERVAL_MINUTES = 7 * 24 * 60;

/**
 * SYNC_INTERVAL_MINUTES: minutes between reconciliation rounds, a fraction allowed (0.5 is 30
 * seconds); unset or 0 turns the periodic job off.
 */
function parseSyncInterval(raw: string | undefined, problems: string[]): number | null {
  if (raw === undefined) return null;
  const minutes = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  if (minutes === 0) return null;
  if (!(minutes >= 0.01 && minutes <= MAX_SYNC_INTERVAL_MINUTES)) {
    problems.push(
      `SYNC_INTERVAL_MINUTES must be 0 (off) or minutes from 0.01 to ${MAX_SYNC_INTERVAL_MINUTES} (got "${raw}")`,
    );
    return null;
  }
  return Math.round(minutes * 60_000);
}

function parseDatabase(
  url: string,
  problems: string[],
  options: { preparedStatements: boolean },
): DatabaseConfig | undefined {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    if (!parseUrl(url)) problems.push('DATABASE_URL is not a valid postgres:// URL');
    return { kind: 'postgres', url, preparedStatements: options.preparedStatements };
  }
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path === '') {
      problems.push('DATABASE_URL needs a path after "sqlite:" (or sqlite::memory:)');
      return undefined;
    }
    return { kind: 'sqlite', path };
  }
  problems.push('DATABASE_URL must start with postgres://, postgresql:// or sqlite:');
  return undefined;
}

interface CredentialVariables {
  keyName: string;
  secretName: string;
  secretKey: string | undefined;
  webhookSecret: string | undefined;
  /** Whether the pair must be set (the live pair with PAYMENT_PROVIDER=stripe). */
  required: boolean;
}

function stripeCredentials(
  { keyName, secretName, secretKey, webhookSecret, required }: CredentialVariables,
  problems: string[],
): StripeCredentials | undefined {
  if (secretKey === undefined && webhookSecret === undefined) {
    if (required) problems.push(`${keyName} is required with PAYMENT_PROVIDER=stripe`);
    if (required) problems.push(`${secretName} is required with PAYMENT_PROVIDER=stripe`);
    return undefined;
  }
  let ok = true;
  if (secretKey === undefined) {
    problems.push(`${keyName} is required when ${secretName} is set`);
    ok = false;
  } else if (!/^(sk|rk)_(test|live)_[A-Za-z0-9]+$/.test(secretKey)) {
    problems.push(`${keyName} must look like sk_test_…, sk_live_… or a restricted rk_… key`);
    ok = false;
  }
  if (webhookSecret === undefined) {
    problems.push(`${secretName} is required when ${keyName} is set`);
    ok = false;
  } else if (!/^whsec_[A-Za-z0-9+/=_-]+$/.test(webhookSecret)) {
    problems.push(`${secretName} must look like whsec_…`);
    ok = false;
  }
  return ok ? { secretKey: secretKey!, webhookSecret: webhookSecret! } : undefined;
}

function parseJwt(read: (name: string) => string | undefined, problems: string[]): JwtConfig | null {
  const secret = read('JWT_SECRET');
  const jwksUri = read('JWT_JWKS_URI');
  const issuer = read('JWT_ISSUER');
  const audience = read('JWT_AUDIENCE');
  const maxLifetimeSeconds = parseJwtMaxLifetime(read('JWT_MAX_LIFETIME'), problems);
  if (secret === undefined && jwksUri === undefined) {
    if (issuer !== undefined || audience !== undefined) {
      problems.push('JWT_ISSUER and JWT_AUDIENCE need JWT_SECRET or JWT_JWKS_URI');
    }
    return null;
  }
  if (secret !== undefined && jwksUri !== undefined) {
    problems.push('set either JWT_SECRET or JWT_JWKS_URI, not both');
  }
  if (secret !== undefined && Buffer.byteLength(secret) < 32) {
    problems.push('JWT_SECRET must be at least 32 bytes long');
  }
  if (jwksUri !== undefined && !parseHttpUrl(jwksUri)) {
    problems.push(`JWT_JWKS_URI must be an http(s) URL (got "${jwksUri}")`);
  }
  return {
    secret,
    jwksUri,
    issuer,
    audience,
    algorithms: secret !== undefined ? ['HS256'] : ['RS256', 'ES256'],
    maxLifetimeSeconds,
  };
}

/** `90s`, `30m`, `24h`, `7d`, or a number of seconds, within bounds (in seconds, named as given). */
function parseDuration(
  name: string,
  text: string | undefined,
  problems: string[],
  bounds: { fallback: number; min: number; max: number; range: string },
): number {
  if (text === undefined) return bounds.fallback;
  const match = DURATION.exec(text);
  const seconds = match ? Number(match[1]) * DURATION_UNIT_SECONDS[match[2]] : NaN;
  if (!(seconds >= bounds.min && seconds <= bounds.max)) {
    problems.push(
      `${name} must be a duration such as 90s, 30m, 24h or 7d, or a number of seconds, from ${bounds.range} (got "${text}")`,
    );
    return bounds.fallback;
  }
  return seconds;
}

function parseJwtMaxLifetime(text: string | undefined, problems: string[]): number {
  return parseDuration('JWT_MAX_LIFETIME', text, problems, {
    fallback: JWT_MAX_LIFETIME_DEFAULT_SECONDS,
    min: 1,
    max: JWT_MAX_LIFETIME_MAX_SECONDS,
    range: '1s to 365d',
  });
}

/**
 * EVENT_ENDPOINTS: `URL|SECRET` pairs separated by commas (`|` and `,` cannot stand unencoded in
 * the URLs taken here, nor in a Standard Webhooks secret).
 */
function parseEventEndpoints(text: string | undefined, problems: string[]): EventEndpointConfig[] {
  if (text === undefined) return [];
  const endpoints: EventEndpointConfig[] = [];
  for (const [index, item] of text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .entries()) {
    const [urlText, secret, ...rest] = item.split('|').map((part) => part.trim());
    const url = urlText ? parseUrl(urlText) : undefined;
    const where = `EVENT_ENDPOINTS entry ${index + 1}`;
    if (rest.length > 0 || !secret) {
      problems.push(`${where} must be URL|SECRET (a URL, a "|" and the endpoint's signing secret)`);
      continue;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) {
      problems.push(`${where} must start with an absolute http(s) URL without credentials`);
      continue;
    }
    if (!isSigningSecret(secret)) {
      problems.push(
        `${where} has a secret that is not a Standard Webhooks secret (whsec_ and 24 to 64 bytes in base64)`,
      );
      continue;
    }
    if (endpoints.some((endpoint) => endpoint.url === url.toString())) {
      problems.push(`${where} repeats the URL of an earlier entry`);
      continue;
    }
    endpoints.push({ url: url.toString(), secret });
  }
  return endpoints;
}

/** `whsec_` and the base64 of 24 to 64 random bytes, as Standard Webhooks libraries take it. */
export function isSigningSecret(secret: string): boolean {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  if (!match) return false;
  const bytes = Buffer.from(match[1], 'base64').length;
  return bytes >= 24 && bytes <= 64;
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function parseHttpUrl(text: string): URL | undefined {
  const url = parseUrl(text);
  return url && (url.protocol === 'http:' || url.protocol === 'https:') ? url : undefined;
}
