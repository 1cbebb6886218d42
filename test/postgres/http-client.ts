import { ServiceProcess } from '../support/service-process';
import { APP_ORIGIN } from '../support/test-app';

// Response bodies are whatever JSON the service sent; the assertions say what they must be.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface HttpResult {
  status: number;
  headers: Headers;
  body: Json;
  /** Milliseconds from sending the request to having read the whole response. */
  ms: number;
}

/** One HTTP request to a service process, its JSON body parsed (the text kept when it is not JSON). */
export async function call(
  instance: Pick<ServiceProcess, 'url'>,
  method: 'GET' | 'POST',
  path: string,
  options: {
    apiKey?: string;
    body?: unknown;
    raw?: string;
    headers?: Record<string, string>;
    /** Gives up after this long: the result then has status 0 and body 'no answer'. */
    timeoutMs?: number;
  } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.apiKey) headers['x-api-key'] = options.apiKey;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const start = Date.now();
  const signal = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${instance.url}${path}`, { method, headers, body, signal });
    text = await response.text();
  } catch (error) {
    if ((error as Error).name !== 'TimeoutError') throw error;
    return { status: 0, headers: new Headers(), body: 'no answer', ms: Date.now() - start };
  }
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text for the failure message
  }
  return { status: response.status, headers: response.headers, body: parsed, ms: Date.now() - start };
}

/** How many times each value occurs. */
export const countBy = (values: string[]): Record<string, number> =>
  values.reduce<Record<string, number>>(
    (counts, value) => ({ ...counts, [value]: (counts[value] ?? 0) + 1 }),
    {},
  );

/** Stops a service process, killing it when it has not exited after `graceMs`. */
export async function stopProcess(instance: ServiceProcess, graceMs = 5_000): Promise<void> {
  const timer = setTimeout(() => instance.child.kill('SIGKILL'), graceMs);
  try {
    await instance.stop('SIGTERM');
  } finally {
    clearTimeout(timer);
  }
}

/** Subscribes the key's account on a sandbox instance: a checkout, completed on the sandbox's page. */
export async function subscribeInSandbox(instance: Pick<ServiceProcess, 'url'>, account: { apiKey: string }) {
  const started = await call(instance, 'POST', '/api/subscriptions/sessions', {
    apiKey: account.apiKey,
    body: { successUrl: `${APP_ORIGIN}/welcome` },
  });
  expect(started.status).toBe(200);
  const done = await fetch(`${instance.url}${new URL(started.body.url as string).pathname}/complete`, {
    method: 'POST',
    redirect: 'manual',
  });
  expect(done.status).toBe(303);
}

/** Sets the account's subscription to end at its period's end (`cancel`), or takes that back. */
export async function setCancelAtPeriodEnd(
  instance: Pick<ServiceProcess, 'url'>,
  account: { apiKey: string },
  cancel: boolean,
) {
  const path = cancel ? '/api/subscriptions/cancel' : '/api/subscriptions/resume';
  const result = await call(instance, 'POST', path, {
    apiKey: account.apiKey,
    body: cancel ? { atPeriodEnd: true } : {},
  });
  expect(result.status).toBe(200);
}
