import { execFile, execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

/**
 * An older Node.js to start the entry points with: the machine's own when it is older than 24 (as
 * on a machine whose system Node is 20), and always this Node told that it is 22.11.0, before the
 * entry point's first import runs.
 */
function olderNodes(): { name: string; node: string; preamble: string[]; version: string }[] {
  const nodes = [
    {
      name: 'Node.js reporting 22.11.0',
      node: process.execPath,
      preamble: [
        '-e',
        "Object.defineProperty(process.versions, 'node', { value: '22.11.0' });" +
          "require(require('node:path').resolve(process.argv[1]))",
      ],
      version: 'v22.11.0',
    },
  ];
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    if (!existsSync(candidate) || realpathSync(candidate) === realpathSync(process.execPath)) continue;
    const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim();
    if (Number(version.slice(1).split('.')[0]) < 24) {
      nodes.push({ name: `${candidate} (${version})`, node: candidate, preamble: [], version });
    }
  }
  return nodes;
}

describe.each(olderNodes())('An entry point started on $name', ({ node, preamble, version }) => {
  it.each(['src/main.ts', 'src/cli/main.ts', 'src/database/migrate.ts'])(
    'should print why %s does not start, in one line, and exit 1',
    async (entry) => {
      const failure = await run(node, ['-r', '@swc-node/register', ...preamble, entry, 'accounts:list'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: 'sqlite::memory:' },
        timeout: 20_000,
      }).then(
        () => undefined,
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect(failure).toMatchObject({
        code: 1,
        stdout: '',
        stderr: `billing-sessions-service needs Node.js 24 or later; this is Node.js ${version} (see README: Requirements)\n`,
      });
    },
  );
});
