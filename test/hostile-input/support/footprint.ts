import { sql } from 'kysely';
import { FakeStripe } from '../../support/fake-stripe';
import { TestApp } from '../../support/test-app';

// --- What a request may have written -----------------------------------------------------------

export type Footprint = Record<string, number>;

export async function footprint(app: TestApp): Promise<Footprint> {
  const [row] = await app.db.rows(sql<
    Record<string, unknown>
  >`SELECT (SELECT COUNT(*) FROM customers) AS customers,
            (SELECT COUNT(*) FROM checkout_sessions) AS checkout_sessions,
            (SELECT COUNT(*) FROM subscriptions) AS subscriptions,
            (SELECT COUNT(*) FROM webhook_events) AS webhook_events,
            (SELECT COUNT(*) FROM idempotency_keys) AS idempotency_keys,
            (SELECT COUNT(*) FROM sandbox_objects) AS sandbox_objects,
            (SELECT COUNT(*) FROM accounts) AS accounts,
            (SELECT COUNT(*) FROM accounts WHERE trial_claimed_at IS NOT NULL) AS trials_claimed`);
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, Number(value)]));
}

/** One service under attack: where to send, and how to tell that nothing was written. */
export interface Target {
  port: number;
  app: TestApp;
  fake?: FakeStripe;
  baseline: Footprint;
}

/** Throws (so that fast-check shrinks) when a row count moved or the fake provider got a POST. */
export async function assertNothingWritten(target: Target): Promise<void> {
  const posts = target.fake?.requests.filter((request) => request.method === 'POST') ?? [];
  if (posts.length > 0) {
    throw new Error(`the provider received ${posts.length} POST(s), first ${posts[0].path}`);
  }
  const now = await footprint(target.app);
  const moved = Object.keys(now).filter((table) => now[table] !== target.baseline[table]);
  if (moved.length > 0) {
    throw new Error(
      `rows were written: ${moved.map((t) => `${t} ${target.baseline[t]} → ${now[t]}`).join(', ')}`,
    );
  }
}
