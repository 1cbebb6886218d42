import { ChildProcess, execFile } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { request as httpRequest, Agent, IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';

// Helpers for the tests that run the service as its own process (logs, shutdown).

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const randomHex = (bytes = 8) => randomBytes(bytes).toString('hex');

/** Polls until `check` holds; throws with `what` once `timeoutMs` have passed. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export interface CliRun {
  args: string[];
  code: number;
  stdout: string;
  stderr: string;
  /** The JSON object printed on stdout (undefined when it printed none). */
  result: Record<string, unknown> | undefined;
}

/**
 * The admin command line (`src/cli/main.ts`, as `npm run cli` runs it after a build), with
 * `env` as its whole environment (plus PATH and HOME). Never throws on a non-zero exit.
 */
export async function adminCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['-r', '@swc-node/register', 'src/cli/main.ts', ...args],
      // A run compiles and boots the app: ~3 s alone, ~20 s on a loaded two-core machine.
      { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: 60_000 },
    );
    return { args, code: 0, stdout, stderr, result: parseLastLine(stdout) };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    const stdout = failure.stdout ?? '';
    return {
      args,
      code: typeof failure.code === 'number' ? failure.code : -1,
      stdout,
      stderr: failure.stderr ?? String(error),
      result: parseLastLine(stdout),
    };
  }
}

function parseLastLine(stdout: string): Record<string, unknown> | undefined {
  const lines = stdout.trim().split('\n').filter(Boolean);
  if (lines.length === 0) return undefined;
  try {
    return JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export interface LogLine {
  level: number;
  time: number;
  msg: string;
  context?: string;
  req?: { id?: string; method?: string; url?: string; [key: string]: unknown };
  res?: { statusCode?: number };
  [key: string]: unknown;
}

/** The non-empty lines of a process's output. */
export const outputLines = (text: string): string[] => text.split('\n').filter((line) => line.trim() !== '');

/** Parses every line as JSON; a line that is not a JSON object is returned as a string. */
export function parseLogLines(text: string): Array<LogLine | string> {
  return outputLines(text).map((line) => {
    try {
      const value: unknown = JSON.parse(line);
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as LogLine) : line;
    } catch {
      return line;
    }
  });
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Milliseconds from sending the request to the end of the response. */
  elapsedMs: number;
}

/**
 * One HTTP request with node:http, so that a test decides how connections are used: `agent`
 * undefined or false opens a connection of its own (and closes it after the response).
 */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; agent?: Agent | false } = {},
): Promise<RawResponse> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const call = httpRequest(
      url,
      {
        method: options.method ?? 'GET',
        headers: {
          ...(options.body !== undefined
            ? {
                'content-type': 'application/json',
                'content-length': String(Buffer.byteLength(options.body)),
              }
            : {}),
          ...options.headers,
        },
        agent: options.agent ?? false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            elapsedMs: Date.now() - started,
          }),
        );
      },
    );
    call.on('error', reject);
    call.end(options.body);
  });
}

/**
 * Stops a child process: `signal` first, SIGKILL when it has not exited after `timeoutMs`.
 * Resolves with the exit code (null when killed by a signal).
 */
export async function stopProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  timeoutMs = 15_000,
): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = once(child, 'exit') as Promise<[number | null]>;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const [code] = await exited;
    return code;
  } finally {
    clearTimeout(timer);
  }
}
