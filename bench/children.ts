import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { freePort } from '../test/support/service-process';
import { processCpuSeconds } from './cpu';
import { ChildMessage, ParentMessage, SeededSubscription } from './shared';

export { freePort };

export const ROOT = join(__dirname, '..');

/**
 * Every process the benchmark starts, so that none outlives it: on a normal end, on an error,
 * on SIGINT, and (synchronously, with SIGKILL) when the orchestrator's process exits anyway.
 */
const live = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Last resort, for `process.on('exit')`: nothing asynchronous can run there. */
export function killAllNow(): void {
  for (const child of live) child.kill('SIGKILL');
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((child) => stopChild(child)));
}

/** Only what a Node process needs from the orchestrator's environment, plus `extra`. */
function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    if (process.env[name] !== undefined) env[name] = process.env[name];
  }
  return { ...env, ...extra };
}

/** A TypeScript helper of the benchmark (upstream.ts, baseline.ts) in its own process, with IPC. */
export interface HelperProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  /** CPU time used so far, user + system (from /proc), in seconds. */
  cpuSeconds(): number | null;
  /** Asks the child for its request count (the upstream answers; others never do). */
  requestCount(): Promise<number>;
  /** The upstream: puts these subscriptions into it, as seeded into the database. */
  putSubscriptions(subscriptions: SeededSubscription[]): Promise<void>;
  /** The upstream: how many `POST /v1/subscriptions/:id` each of these has received. */
  subscriptionUpdates(subscriptionIds: string[]): Promise<number[]>;
  /** The upstream: answer every request after `ms` milliseconds from now on (0: at once). */
  setDelay(ms: number): Promise<void>;
}

type Question = ParentMessage extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;

export async function startHelper(script: string, env: Record<string, string> = {}): Promise<HelperProcess> {
  const child = track(
    spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'bench', script)], {
      cwd: ROOT,
      env: baseEnv(env),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within 30 s`)), 30_000);
    const onExit = (code: number | null) => reject(new Error(`${script} exited with ${code} while starting`));
    child.once('exit', onExit);
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready' || message.type === 'error') {
        clearTimeout(timer);
        child.off('exit', onExit);
        if (message.type === 'ready') resolve(message.url);
        else reject(new Error(`${script}: ${message.message}`));
      }
    });
  });

  let nextId = 0;
  const pending = new Map<number, (message: ChildMessage) => void>();
  child.on('message', (message: ChildMessage) => {
    if (!('id' in message)) return;
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });
  /** Sends a question and resolves with the answer that carries its id. */
  const ask = <T extends ChildMessage['type']>(question: Question, answer: T) =>
    new Promise<Extract<ChildMessage, { type: T }>>((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${script} did not answer "${question.type}"`));
      }, 10_000);
      pending.set(id, (message) => {
        clearTimeout(timer);
        if (message.type === answer) resolve(message as Extract<ChildMessage, { type: T }>);
        else reject(new Error(`${script} answered "${question.type}" with "${message.type}"`));
      });
      child.send({ ...question, id } satisfies ParentMessage);
    });
  return {
    child,
    pid: child.pid!,
    url,
    cpuSeconds: () => processCpuSeconds(child.pid!),
    requestCount: async () => (await ask({ type: 'count' }, 'count')).count,
    putSubscriptions: async (subscriptions) => {
      await ask({ type: 'subscriptions', subscriptions }, 'subscriptions');
    },
    subscriptionUpdates: async (subscriptionIds) =>
      (await ask({ type: 'updates', subscriptionIds }, 'updates')).counts,
    setDelay: async (ms) => {
      await ask({ type: 'delay', ms }, 'delay');
    },
  };
}

/** One GET /health; resolves with the status code, or 0 when nothing answered. */
export function healthStatus(url: string, timeoutMs = 1_000): Promise<number> {
  return new Promise((resolve) => {
    const request = httpRequest(`${url}/health`, { agent: false, timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(0));
    request.end();
  });
}

export interface ServiceProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  /** Milliseconds from spawning the process to the first 200 from /health. */
  startToHealthyMs: number;
  /** Resident memory now (VmRSS from /proc), in MB. */
  rssMb(): number | null;
  /** CPU time used so far, user + system (from /proc), in seconds. */
  cpuSeconds(): number | null;
  /** The end of what the process wrote to stderr (stdout, the request log, is discarded). */
  stderrTail(): string;
  stop(): Promise<void>;
}

const POLL_MS = 10;
const START_TIMEOUT_MS = 30_000;
const STDERR_TAIL_BYTES = 8_192;

/**
 * The service exactly as production starts it, `node dist/main.js` (built beforehand), with
 * `--cpu-prof` when profiling. Its start is timed from spawn() to the first 200 from /health,
 * polled every 10 ms.
 */
export async function startService(
  env: Record<string, string>,
  options: { cpuProfileDir?: string } = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const profiling = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [];
  const nodeFlags = [...productionNodeFlags(), ...profiling];
  const startedAt = performance.now();
  const child = track(
    spawn(process.execPath, [...nodeFlags, join(ROOT, 'dist', 'main.js')], {
      cwd: ROOT,
      env: baseEnv({ ...env, HOST: '127.0.0.1', PORT: String(port) }),
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
  });

  let startToHealthyMs = -1;
  while (performance.now() - startedAt < START_TIMEOUT_MS) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}:\n${stderr}`);
    if ((await healthStatus(url, 500)) === 200) {
      startToHealthyMs = performance.now() - startedAt;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  if (startToHealthyMs < 0) {
    child.kill('SIGKILL');
    throw new Error(`the service did not answer /health with 200 within ${START_TIMEOUT_MS} ms:\n${stderr}`);
  }

  return {
    child,
    pid: child.pid!,
    url,
    startToHealthyMs,
    rssMb: () => readRssMb(child.pid!),
    cpuSeconds: () => processCpuSeconds(child.pid!),
    stderrTail: () => stderr,
    stop: () => stopChild(child, 15_000),
  };
}

/**
 * The Node flags production starts the service with: those of `npm run start:prod` (the same as
 * `npm start` and the Dockerfile's), read from package.json so that the two cannot drift apart.
 */
function productionNodeFlags(): string[] {
  const script = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts['start:prod'];
  const words = script.split(/\s+/);
  return words.slice(words.indexOf('node') + 1, words.indexOf('dist/main.js'));
}

function readRssMb(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}
