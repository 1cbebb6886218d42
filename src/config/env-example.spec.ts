import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { loadConfig } from './load-config';

// .env.example is the list a newcomer copies to .env: it must name every variable the service
// reads and nothing it does not, and as copied it must start the service.

const EXAMPLE = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8');
/** Read by docker-compose.yml (the PostgreSQL container's password), not by the service. */
const COMPOSE_ONLY = ['POSTGRES_PASSWORD'];

/** The names loadConfig looks up, seen through an environment that records every lookup. */
function variablesTheServiceReads(): string[] {
  const names = new Set<string>();
  const recording = new Proxy<Record<string, string | undefined>>(
    {},
    {
      get(_target, name) {
        if (typeof name === 'string') names.add(name);
        return undefined;
      },
    },
  );
  loadConfig(recording);
  return [...names].sort();
}

describe('.env.example', () => {
  const example = parseEnv(EXAMPLE);

  it('names every variable the service reads, and only those', () => {
    const named = Object.keys(example).filter((name) => !COMPOSE_ONLY.includes(name));
    expect(named.sort()).toEqual(variablesTheServiceReads());
    expect(variablesTheServiceReads().length).toBeGreaterThan(20);
  });

  it('gives every variable a comment line above it', () => {
    const lines = EXAMPLE.split('\n');
    lines.forEach((line, index) => {
      if (!/^[A-Z_]+=/.test(line)) return;
      // A pair of variables (key and secret) may share the comment above the first.
      let above = index - 1;
      while (/^[A-Z_]+=/.test(lines[above])) above--;
      expect({ line, above: lines[above] }).toEqual({ line, above: expect.stringMatching(/^# \S/) });
    });
  });

  it('holds no secret: keys, webhook secrets and the JWT secret are empty', () => {
    for (const [name, value] of Object.entries(example)) {
      if (/SECRET|_KEY$/.test(name)) expect({ name, value }).toEqual({ name, value: '' });
    }
  });

  it('starts the service as it is, on the embedded database and the sandbox', () => {
    const config = loadConfig(example);
    expect(config.provider).toBe('sandbox');
    expect(config.database).toEqual({ kind: 'sqlite', path: './data/billing.sqlite' });
    expect(config.shutdownGraceMs).toBe(10_000);
  });
});
