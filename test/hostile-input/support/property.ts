import fc from 'fast-check';
import { MIN_REQUESTS_PER_ENDPOINT, RUNS_PER_ENDPOINT } from './contract';
import { assertNothingWritten, Target } from './footprint';
import { send, summary } from './raw-http';
import { Answer, isRecord, Outgoing, Shape, shapeProblem } from './requests';

// --- Properties -------------------------------------------------------------------------------

export interface Probe {
  outgoing: Outgoing;
  allowed: number[];
  shape: Shape;
  labels: string[];
}

export interface Tally {
  sent: number;
  labels: Map<string, number>;
  statuses: Map<number, number>;
  /** Error messages with their variable part cut off ("Unknown field: …"). */
  messages: Map<string, number>;
}

export const messageOf = (answer: Answer): string => {
  const body = answer.json;
  const message = isRecord(body) ? (isRecord(body.error) ? body.error.message : body.error) : undefined;
  return typeof message === 'string' ? message.replace(/^(Unknown field): .*$/s, '$1: …') : '(none)';
};

export const generated = new Map<string, Tally>();

/** Prints, per endpoint, how many requests went out, the statuses they got and the messages. */
export function logGenerated(): void {
  const lines = [...generated.entries()].map(([endpoint, tally]) => {
    const statuses = [...tally.statuses.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, count]) => `${status}×${count}`)
      .join(' ');
    const messages = [...tally.messages.entries()]
      .sort(([, a], [, b]) => b - a)
      .map(([message, count]) => `      ${String(count).padStart(4)}  ${message.slice(0, 110)}`)
      .join('\n');
    return `${endpoint.padEnd(44)} ${String(tally.sent).padStart(5)} requests   ${statuses}\n${messages}`;
  });
  console.log(`Generated hostile requests per endpoint:\n${lines.join('\n')}`);
}

/**
 * Sends one generated request per run and checks the answer: a status in `allowed`, the
 * endpoint's error shape, nothing written. Returns what went out and what came back.
 */
export async function hostileProperty<T>(
  endpoint: string,
  target: Target,
  arbitrary: fc.Arbitrary<T>,
  build: (value: T) => Probe,
  runs = RUNS_PER_ENDPOINT,
): Promise<Tally> {
  const tally: Tally = { sent: 0, labels: new Map(), statuses: new Map(), messages: new Map() };
  generated.set(endpoint, tally);
  await fc.assert(
    fc.asyncProperty(arbitrary, async (value) => {
      const probe = build(value);
      const answer = await send(target.port, probe.outgoing);
      tally.sent++;
      tally.statuses.set(answer.status, (tally.statuses.get(answer.status) ?? 0) + 1);
      tally.messages.set(messageOf(answer), (tally.messages.get(messageOf(answer)) ?? 0) + 1);
      for (const label of probe.labels) tally.labels.set(label, (tally.labels.get(label) ?? 0) + 1);
      const shape = shapeProblem(probe.shape, answer);
      if (!probe.allowed.includes(answer.status) || shape !== null) {
        throw new Error(
          `${endpoint}: got ${answer.status} ${answer.text.slice(0, 300)}\n` +
            `expected one of ${probe.allowed.join(', ')} in the ${probe.shape} shape${shape ? ` (${shape})` : ''}\n` +
            `poisons: ${probe.labels.join(', ')}\n${summary(probe.outgoing)}`,
        );
      }
      await assertNothingWritten(target);
    }),
    { numRuns: runs },
  );
  return tally;
}

/**
 * The claim can't silently shrink: at least 1,000 requests went out, every kind of poison was
 * sent at least `atLeast` times, and every check of `messages` answered at least once (so the
 * generators reach each of the service's checks, not only the first one on the way).
 */
export function expectCoverage(tally: Tally, labels: string[], messages: RegExp[] = [], atLeast = 3): void {
  expect(tally.sent).toBeGreaterThanOrEqual(MIN_REQUESTS_PER_ENDPOINT);
  const missing = labels.filter((label) => (tally.labels.get(label) ?? 0) < atLeast);
  expect(missing).toEqual([]);
  const seen = [...tally.messages.keys()];
  const unreached = messages.filter((family) => !seen.some((message) => family.test(message)));
  expect(unreached).toEqual([]);
}

/** Checks every JSON POST endpoint has, on the way to its own (see expectCoverage). */
export const COMMON_CHECKS = [
  /^Authentication required$/,
  /^Request body is not valid JSON$/,
  /^Request body must be a JSON object$/,
  /^Content-Type must be application\/json$/,
  /^Unknown field: /,
  /^Idempotency-Key must be 1 to 255 visible ASCII characters$/,
  /^accountId must be a UUID$/,
  /^(Acting for another account needs a credential with the admin scope|This credential has no grant on that account|Account not found)$/,
];
export const urlChecks = (field: string) =>
  new RegExp(`^${field} (is required|must be an absolute http\\(s\\) URL|is not on an allowed origin)`);
