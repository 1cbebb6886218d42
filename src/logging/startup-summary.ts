import { AppConfig, DatabaseConfig } from '../config/app-config';

export interface StartupSummary {
  url: string;
  listening: string;
  provider: string;
  database: string;
  docs: string;
}

/**
 * Where a freshly started instance is and what it talks to, for its one start-up line: the
 * public URL and the address it listens on, the payment provider (and whether a Stripe key is a
 * live or a test one), the database without its credentials, and the API docs.
 */
export function startupSummary(
  config: Pick<AppConfig, 'publicUrl' | 'provider' | 'stripe' | 'database'>,
  listening: string,
): { fields: StartupSummary; message: string } {
  const fields: StartupSummary = {
    url: config.publicUrl,
    listening,
    provider: describeProvider(config),
    database: describeDatabase(config.database),
    docs: `${config.publicUrl}/docs`,
  };
  const message =
    `Billing sessions service at ${fields.url} (listening on ${fields.listening}); ` +
    `provider: ${fields.provider}; database: ${fields.database}; API docs: ${fields.docs}`;
  return { fields, message };
}

function describeProvider(config: Pick<AppConfig, 'provider' | 'stripe'>): string {
  if (config.provider === 'sandbox') return 'sandbox';
  const key = config.stripe.credentials.live?.secretKey ?? '';
  // Only the mode is told, from the key's prefix: the key itself never reaches a log.
  const mode = /^(sk|rk)_live_/.test(key) ? 'live' : /^(sk|rk)_test_/.test(key) ? 'test' : 'unknown';
  const testMode = config.stripe.credentials.test ? ', with test-mode credentials' : '';
  return `Stripe (${mode} mode key${testMode})`;
}

/** The SQLite file, or the PostgreSQL host and database: never the user or the password. */
export function describeDatabase(database: DatabaseConfig): string {
  if (database.kind === 'sqlite') {
    return database.path === ':memory:' ? 'SQLite in memory' : `SQLite ${database.path}`;
  }
  try {
    const url = new URL(database.url);
    const name = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default database)';
    return `PostgreSQL ${url.host}/${name}`;
  } catch {
    return 'PostgreSQL';
  }
}
