import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './support/service-process';
import { randomHex, sleep } from './support/process-helpers';

// A process manager (systemd, a container runtime, pm2) stops the service by sending SIGTERM to
// the PID it started, which for `npm start` is npm's. npm hands the signal to the shell that runs
// the script; the shell must not stand between npm and the service, or the service never hears
// it and lives on as an orphan that still answers.

const ROOT = join(__dirname, '..');
/** The build (prestart) and the boot, on a machine shared with other test runs. */
const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 15_000;

/** Node processes running `dist/main.js` (not a shell's `-c` text naming it) with PORT=<port>. */
function servicePidsOnPort(port: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!argv.includes('dist/main.js')) continue;
      const environment = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (environment.includes(`PORT=${port}`)) pids.push(Number(entry));
    } catch {
      // The process ended while it was read, or is not ours to read.
    }
  }
  return pids;
}

/** Whether anything answers HTTP there (on a connection of its own, closed afterwards). */
function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(url, { agent: false, timeout: 1_000 }, (response) => {
      response.resume();
      resolve(true);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

describe('npm start', () => {
  const database = join(tmpdir(), `billing-start-${randomHex(6)}.sqlite`);
  let port: number;
  let npm: ChildProcess | undefined;
  const output: Buffer[] = [];

  afterAll(() => {
    // Whatever happened above, nothing this test started outlives it.
    if (npm?.exitCode === null && npm.signalCode === null) npm.kill('SIGKILL');
    if (port) for (const pid of servicePidsOnPort(port)) process.kill(pid, 'SIGKILL');
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${database}${suffix}`, { force: true });
  });

  it(
    'should stop the service when npm is sent SIGTERM, leaving no orphan that still answers',
    async () => {
      port = await freePort();
      const health = `http://127.0.0.1:${port}/health`;
      npm = spawn('npm', ['run', '-s', 'start'], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          HOST: '127.0.0.1',
          PORT: String(port),
          DATABASE_URL: `sqlite:${database}`,
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      npm.stdout!.on('data', (chunk: Buffer) => output.push(chunk));
      npm.stderr!.on('data', (chunk: Buffer) => output.push(chunk));
      const log = () => Buffer.concat(output).toString('utf8');

      const deadline = Date.now() + READY_TIMEOUT_MS;
      while (!(await answers(health))) {
        if (npm.exitCode !== null) throw new Error(`npm start exited with ${npm.exitCode}:\n${log()}`);
        if (Date.now() > deadline) throw new Error(`npm start did not answer /health in time:\n${log()}`);
        await sleep(200);
      }
      expect(servicePidsOnPort(port)).toHaveLength(1);

      const closed = once(npm, 'close', { signal: AbortSignal.timeout(STOP_TIMEOUT_MS) });
      npm.kill('SIGTERM');
      await closed.catch(() => undefined);
      const stopDeadline = Date.now() + STOP_TIMEOUT_MS;
      while ((await answers(health)) && Date.now() < stopDeadline) await sleep(200);

      expect({
        npmExited: npm.exitCode !== null || npm.signalCode !== null,
        stillAnswers: await answers(health),
        survivors: servicePidsOnPort(port),
      }).toEqual({ npmExited: true, stillAnswers: false, survivors: [] });
    },
    READY_TIMEOUT_MS + 3 * STOP_TIMEOUT_MS,
  );
});
