// The first import of every entry point (the service, the admin command line, the migrations):
// the dependencies are ES modules that this CommonJS build loads with require(), which older
// Node.js cannot do, so an older Node is told so in one line instead of failing on a dependency.

/** The oldest Node.js major the service runs on; package.json's engines.node says the same. */
export const MINIMUM_NODE_MAJOR = 24;

/** Why the service cannot run on this Node.js version, or undefined when it can. */
export function nodeVersionProblem(version: string): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (major >= MINIMUM_NODE_MAJOR) return undefined;
  return (
    `billing-sessions-service needs Node.js ${MINIMUM_NODE_MAJOR} or later; ` +
    `this is Node.js v${version.replace(/^v/, '')} (see README: Requirements)`
  );
}

const problem = nodeVersionProblem(process.versions.node);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
