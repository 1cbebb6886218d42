import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MINIMUM_NODE_MAJOR, nodeVersionProblem } from './node-version';

describe('nodeVersionProblem', () => {
  it.each(['20.20.2', '22.12.0', '23.11.1', 'v20.19.0'])(
    'should refuse Node.js %s in one line',
    (version) => {
      expect(nodeVersionProblem(version)).toBe(
        `billing-sessions-service needs Node.js 24 or later; this is Node.js v${version.replace(/^v/, '')} ` +
          '(see README: Requirements)',
      );
    },
  );

  it.each(['24.0.0', '24.21.0', 'v25.1.0', '26.10.0'])('should accept Node.js %s', (version) => {
    expect(nodeVersionProblem(version)).toBeUndefined();
  });

  it('should accept the Node.js that runs the tests', () => {
    expect(nodeVersionProblem(process.versions.node)).toBeUndefined();
  });

  it("should ask for the major that package.json's engines.node asks for", () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
      engines: { node: string };
    };
    expect(manifest.engines.node).toBe(`>=${MINIMUM_NODE_MAJOR}`);
  });
});
