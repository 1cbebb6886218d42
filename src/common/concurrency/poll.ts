const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
