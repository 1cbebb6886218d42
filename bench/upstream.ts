/**
 * The benchmark's payment provider: the tests' Stripe-shaped server (FakeStripe) in a process of
 * its own, so that its work does not land in the orchestrator that drives the load. It answers at
 * once (or after a set delay, UPSTREAM_DELAY_MS and then as told over IPC: the latency phase plays
 * a provider that takes 250 ms), keeps no request log, accepts the customer ids the benchmark
 * seeded into the database, and tells the orchestrator over IPC how many requests it has received.
 * The subscriptions the benchmark changes are seeded into the database and put here over IPC (the
 * same ids), and it counts the updates of each (`POST /v1/subscriptions/:id`).
 *
 * Started by run.ts with an IPC channel; exits when that channel closes.
 */
import { FakeStripe } from '../test/support/fake-stripe';
import { CHECKOUT_PRICE_ID, ChildMessage, ParentMessage, SUBSCRIPTION_PRICE_ID } from './shared';

const send = (message: ChildMessage) => process.send?.(message);

async function main(): Promise<void> {
  if (!process.send)
    throw new Error('bench/upstream.ts is started by bench/run.ts (it needs an IPC channel)');
  const fake = new FakeStripe();
  fake.recording = false;
  // Milliseconds before each answer: UPSTREAM_DELAY_MS at start (default 0), then as told over IPC.
  fake.delayMs = Math.max(0, Number(process.env.UPSTREAM_DELAY_MS ?? 0) || 0);
  fake.acceptUnknownCustomers = true;
  fake.addPrice({ id: SUBSCRIPTION_PRICE_ID, type: 'recurring', unitAmount: 1500, productName: 'Monthly' });
  fake.addPrice({ id: CHECKOUT_PRICE_ID, type: 'recurring', unitAmount: 4900, productName: 'Pro' });
  // Updates of each subscription (the invariant of the confirm phase: exactly one per change).
  const updates = new Map<string, number>();
  fake.onRequest = (method, path) => {
    const match = method === 'POST' ? /^\/v1\/subscriptions\/([^/]+)$/.exec(path) : null;
    if (match) updates.set(match[1], (updates.get(match[1]) ?? 0) + 1);
  };
  await fake.start(0);

  process.on('message', (message: ParentMessage) => {
    switch (message.type) {
      case 'count':
        send({ type: 'count', id: message.id, count: fake.requestCount });
        return;
      case 'subscriptions':
        for (const subscription of message.subscriptions) {
          fake.putSubscription({
            id: subscription.id,
            customer: subscription.customer,
            status: 'active',
            priceId: subscription.priceId,
            quantity: subscription.quantity,
            itemId: subscription.itemId,
            currentPeriodStart: subscription.periodStart,
            currentPeriodEnd: subscription.periodEnd,
          });
        }
        send({ type: 'subscriptions', id: message.id });
        return;
      case 'updates':
        send({
          type: 'updates',
          id: message.id,
          counts: message.subscriptionIds.map((id) => updates.get(id) ?? 0),
        });
        return;
      case 'delay':
        // Requests already waiting keep the delay they started with.
        fake.delayMs = Math.max(0, message.ms);
        send({ type: 'delay', id: message.id });
        return;
    }
  });
  // The orchestrator is gone (finished, or killed): so is the upstream.
  process.on('disconnect', () => {
    void fake.stop().finally(() => process.exit(0));
  });
  send({ type: 'ready', url: fake.url });
}

main().catch((error: unknown) => {
  send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
