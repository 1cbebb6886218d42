import { readFileSync } from 'node:fs';
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

/** The Language Server Protocol's DiagnosticSeverity.Error; the validator's warnings are 2. */
const SEVERITY_ERROR = 1;

/**
 * What is wrong with a Dockerfile: every problem the Dockerfile language service's validator
 * finds (unknown instructions, bad flags and durations, several CMDs in a stage, …; its warnings
 * count too), and a CMD or ENTRYPOINT in shell form, which runs the service under /bin/sh: the
 * shell, not node, would get SIGTERM, and the service would never drain its requests.
 * Empty when nothing is.
 */
export function lintDockerfile(text: string): string[] {
  const problems = validate(text).map((diagnostic) => {
    const severity = diagnostic.severity === SEVERITY_ERROR ? 'error' : 'warning';
    const message = typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;
    return `line ${diagnostic.range.start.line + 1}: ${severity}: ${message}`;
  });
  const dockerfile = DockerfileParser.parse(text);
  for (const instruction of [...dockerfile.getCMDs(), ...dockerfile.getENTRYPOINTs()]) {
    if (instruction.getOpeningBracket() === null) {
      problems.push(
        `line ${instruction.getRange().start.line + 1}: error: ${instruction.getKeyword()} in shell form; ` +
          'write it as a JSON array so that the process itself gets SIGTERM',
      );
    }
  }
  return problems;
}

/** `npm run lint:docker`: checks the Dockerfiles given (./Dockerfile by default). */
function main(): void {
  const paths = process.argv.slice(2);
  let failed = false;
  for (const path of paths.length > 0 ? paths : ['Dockerfile']) {
    const problems = lintDockerfile(readFileSync(path, 'utf8'));
    for (const problem of problems) process.stderr.write(`${path}: ${problem}\n`);
    if (problems.length > 0) failed = true;
    else process.stdout.write(`${path}: no problems found\n`);
  }
  if (failed) process.exitCode = 1;
}

if (require.main === module) main();
