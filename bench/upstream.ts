/**
 * The benchmark's payment provider: the tests' Stripe-shaped server (FakeStripe) in a process of
 * its own, so that its work does not land in the orchestrator that drives the load. It answers at
 * once, keeps no request log, accepts the customer ids the benchmark seeded into the database, and
 * tells the orchestrator over IPC how many requests it has received.
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
  fake.delayMs = 0;
  fake.acceptUnknownCustomers = true;
  fake.addPrice({ id: SUBSCRIPTION_PRICE_ID, type: 'recurring', unitAmount: 1500, productName: 'Monthly' });
  fake.addPrice({ id: CHECKOUT_PRICE_ID, type: 'recurring', unitAmount: 4900, productName: 'Pro' });
  await fake.start(0);

  process.on('message', (message: ParentMessage) => {
    if (message.type === 'count') send({ type: 'count', id: message.id, count: fake.requestCount });
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
