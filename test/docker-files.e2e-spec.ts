import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv, promisify } from 'node:util';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import { lintCompose } from '../scripts/lint-compose';
import { lintDockerfile } from '../scripts/lint-dockerfile';
import { loadConfig } from '../src/config/load-config';

// `npm run lint:docker` runs these checks on docker-compose.yml and the Dockerfile: each must
// pass on the real file and fail on a copy broken the way a hand edit breaks it.

const ROOT = join(__dirname, '..');
const COMPOSE = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

/** `text` with `from` replaced once; fails the test when `from` is not there (the file changed). */
function broken(text: string, from: string | RegExp, to: string): string {
  const changed = text.replace(from, to);
  expect(changed).not.toBe(text);
  return changed;
}

describe('lint-compose', () => {
  it('finds nothing wrong with docker-compose.yml', () => {
    expect(lintCompose(COMPOSE)).toEqual([]);
  });

  it('refuses a key Compose does not know', () => {
    const problems = lintCompose(broken(COMPOSE, 'stop_grace_period:', 'stop_grace_periods:'));
    expect(problems).toContain('/services/app must NOT have additional properties: stop_grace_periods');
  });

  it('refuses a depends_on condition Compose does not have', () => {
    const problems = lintCompose(
      broken(COMPOSE, 'condition: service_completed_successfully', 'condition: service_completed'),
    );
    expect(problems.join('\n')).toMatch(
      /\/services\/app\/depends_on\/migrate\/condition must be equal to one of/,
    );
  });

  it('refuses a service that waits for one the file does not define', () => {
    const problems = lintCompose(broken(COMPOSE, /\n {6}migrate:\n/, '\n      migrations:\n'));
    expect(problems).toEqual(['/services/app/depends_on names a service that is not defined: migrations']);
  });

  it('refuses a duplicated key and YAML that does not parse', () => {
    const duplicated = broken(COMPOSE, '    stop_grace_period: 15s\n', '    ports: []\n');
    expect(lintCompose(duplicated)).toEqual([
      expect.stringMatching(/^not valid YAML: duplicated mapping key/),
    ]);
    const unparsable = broken(COMPOSE, 'services:\n', 'services:\n  - [\n');
    expect(lintCompose(unparsable)).toEqual([expect.stringMatching(/^not valid YAML:/)]);
  });
});

describe('lint-dockerfile', () => {
  it('finds nothing wrong with the Dockerfile', () => {
    expect(lintDockerfile(DOCKERFILE)).toEqual([]);
  });

  it('refuses a CMD in shell form, where /bin/sh and not node would get SIGTERM', () => {
    const shellForm = broken(DOCKERFILE, /^CMD \[.*\]$/m, 'CMD node dist/main.js');
    expect(lintDockerfile(shellForm)).toEqual([
      expect.stringMatching(/^line \d+: error: CMD in shell form; write it as a JSON array/),
    ]);
  });

  it('refuses an unknown instruction and a bad healthcheck duration', () => {
    const problems = lintDockerfile(
      broken(broken(DOCKERFILE, /^USER node$/m, 'USR node'), '--interval=30s', '--interval=30x'),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/: error: Unknown instruction: USR$/),
        expect.stringMatching(/: error: time: .*duration 30x/),
      ]),
    );
  });

  it('counts the validator’s warnings too (a second CMD in the stage)', () => {
    const twoCmds = broken(DOCKERFILE, /^CMD /m, 'CMD ["node", "dist/cli/main.js"]\nCMD ');
    expect(lintDockerfile(twoCmds)).toEqual([expect.stringMatching(/: warning: There can only be one CMD/)]);
  });
});

describe('the Dockerfile and npm start', () => {
  it('start node with the same flags (heap bounds and GC tuning), so that the benchmark measures what runs', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(DOCKERFILE);
    expect(cmd).not.toBeNull();
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    const words = (script: string) => script.replace(/^exec /, '').split(/\s+/);
    expect(words(scripts['start:prod'])).toEqual(JSON.parse(cmd![1]));
    expect(words(scripts.start)).toEqual(JSON.parse(cmd![1]));
    expect(JSON.parse(cmd![1])).toEqual(expect.arrayContaining(['--no-allocation-site-pretenuring']));
  });
});

describe('the lint scripts, as npm run lint:docker runs them', () => {
  const run = promisify(execFile);
  const directory = mkdtempSync(join(tmpdir(), 'billing-docker-lint-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  /** Exit code and stderr of `node -r @swc-node/register scripts/<script> <path>`. */
  async function lint(script: string, path: string): Promise<{ code: number; stderr: string }> {
    try {
      const { stderr } = await run(
        process.execPath,
        ['-r', '@swc-node/register', join(ROOT, 'scripts', script), path],
        { cwd: ROOT },
      );
      return { code: 0, stderr };
    } catch (error) {
      const failure = error as { code?: number; stderr?: string };
      return { code: failure.code ?? -1, stderr: failure.stderr ?? '' };
    }
  }

  it('exit 0 on the real files and 1, naming the file, on broken copies', async () => {
    const badCompose = join(directory, 'docker-compose.yml');
    writeFileSync(badCompose, broken(COMPOSE, 'condition: service_healthy', 'condition: healthy'));
    const badDockerfile = join(directory, 'Dockerfile');
    writeFileSync(badDockerfile, broken(DOCKERFILE, /^CMD \[.*\]$/m, 'CMD node dist/main.js'));

    const [composeOk, composeBad, dockerfileOk, dockerfileBad] = await Promise.all([
      lint('lint-compose.ts', join(ROOT, 'docker-compose.yml')),
      lint('lint-compose.ts', badCompose),
      lint('lint-dockerfile.ts', join(ROOT, 'Dockerfile')),
      lint('lint-dockerfile.ts', badDockerfile),
    ]);
    expect(composeOk).toEqual({ code: 0, stderr: '' });
    expect(composeBad.code).toBe(1);
    expect(composeBad.stderr).toContain(`${badCompose}: /services/`);
    expect(dockerfileOk).toEqual({ code: 0, stderr: '' });
    expect(dockerfileBad.code).toBe(1);
    expect(dockerfileBad.stderr).toContain(`${badDockerfile}: line `);
  }, 60_000);
});

describe('docker-compose.yml and the service', () => {
  interface Service {
    environment: Record<string, string>;
    stop_grace_period?: string;
    init?: boolean;
  }
  const compose = load(COMPOSE, { schema: CORE_SCHEMA.withTags(mergeTag) }) as {
    services: Record<string, Service>;
  };
  const app = compose.services.app;

  /** Compose's `${NAME:-default}` with nothing set: the default. */
  function interpolated(environment: Record<string, string>): Record<string, string> {
    return Object.fromEntries(
      Object.entries(environment).map(([name, value]) => [
        name,
        String(value).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1'),
      ]),
    );
  }

  it('gives the service a configuration it accepts: PostgreSQL, Redis, the sandbox', () => {
    // .env copied from .env.example as it is, under the variables the file sets itself.
    const dotEnv = parseEnv(readFileSync(join(ROOT, '.env.example'), 'utf8'));
    const config = loadConfig({ ...dotEnv, ...interpolated(app.environment) });
    expect(config.database).toMatchObject({
      kind: 'postgres',
      url: 'postgres://billing:billing@postgres:5432/billing',
    });
    expect(config.redisUrl).toBe('redis://redis:6379');
    expect(config.provider).toBe('sandbox');
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.port).toBe(3000);
  });

  it('lets a shutdown finish before Docker kills the service', () => {
    const graceMs = loadConfig(interpolated(app.environment)).shutdownGraceMs;
    const [, seconds] = /^(\d+)s$/.exec(app.stop_grace_period ?? '') ?? [];
    expect(Number(seconds) * 1000).toBeGreaterThan(graceMs);
    // tini forwards SIGTERM to node; the Dockerfile's exec-form CMD is checked above.
    expect(app.init).toBe(true);
  });
});
