import { setTimeout as sleep } from 'node:timers/promises';

/**
 * What holds a key when a request could not claim it:
 * - `done`: the work was finished by another request; its result;
 * - `held`: another request is doing it, under a lease until `leaseUntil` (null: no lease);
 *   `takeOver` claims it for this request once the lease has run out (its request died), and
 *   answers the work to do, or undefined when another request took it over first;
 * - `clear`: something that is not this request's result stands in the way (an expired entry, an
 *   open checkout made for another request): clearing it is this request's to do, then it claims
 *   again;
 * - `gone`: nothing holds it any more: claim again.
 */
export type LeaseState<T> =
  | { done: T }
  | { held: { leaseUntil: Date | null; takeOver: () => Promise<(() => Promise<T>) | undefined> } }
  | { clear: () => Promise<void> }
  | { gone: true };

export interface LeaseProtocol<T> {
  /** Claims the key; answers the work to do when this request claimed it. */
  claim(): Promise<(() => Promise<T>) | undefined>;
  /** Reads what holds the key now (and changes nothing). */
  inspect(): Promise<LeaseState<T>>;
  /** When to give up waiting for another request's lease. */
  deadline: number;
  /** The error when the deadline passes. */
  timeout(): Error;
}

/**
 * One request's way to a result that only one request at a time may produce, on one instance
 * or several sharing the database: claim the key (a unique row written with a lease) and do the
 * work; else take the result another request finished, or wait while it works, or take its claim
 * over once its lease has run out (it died), until the deadline.
 */
export async function underLease<T>(protocol: LeaseProtocol<T>): Promise<T> {
  while (Date.now() < protocol.deadline) {
    const claimed = await protocol.claim();
    if (claimed) return claimed();
    const state = await protocol.inspect();
    if ('done' in state) return state.done;
    if ('gone' in state) continue;
    if ('clear' in state) {
      await state.clear();
      continue;
    }
    if (state.held.leaseUntil && state.held.leaseUntil.getTime() < Date.now()) {
      const takenOver = await state.held.takeOver();
      if (takenOver) return takenOver();
      continue;
    }
    await pollUntil(
      async () => {
        const current = await protocol.inspect();
        const stillHeld = 'held' in current && (current.held.leaseUntil?.getTime() ?? Infinity) >= Date.now();
        return stillHeld ? undefined : true;
      },
      Math.max(0, protocol.deadline - Date.now()),
    );
  }
  throw protocol.timeout();
}

/**
 * Calls `check` until it returns a value, backing off from 10 ms to 200 ms, for at most
 * `timeoutMs`; returns undefined when time runs out.
 */
export async function pollUntil<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() + delay > deadline) return undefined;
    await sleep(delay + Math.random() * delay * 0.25);
  }
}
