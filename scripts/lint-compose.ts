import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv from 'ajv';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';

/**
 * The Compose Specification's JSON schema, as Docker Compose itself checks files against it:
 * https://raw.githubusercontent.com/compose-spec/compose-spec/170098ba07d9f53c383a41bfd4c5166b0a4529a6/schema/compose-spec.json
 * (reformatted by prettier only). To update it, fetch the file at a newer commit, run prettier on
 * it and change the commit above.
 */
const SCHEMA_PATH = resolve(__dirname, 'compose-spec.json');

let validator: ReturnType<Ajv['compile']> | undefined;

function composeValidator(): ReturnType<Ajv['compile']> {
  if (!validator) {
    const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
    // The file names draft-07 by an https URL, which Ajv does not know by that name; the
    // schema is draft-07 all the same, Ajv's default.
    delete schema.$schema;
    // Strict about keywords (one Ajv did not know would be a check silently skipped), not
    // about the schema's own style of writing types, which is Compose's to choose.
    validator = new Ajv({
      allErrors: true,
      strictSchema: true,
      strictTypes: false,
      strictTuples: false,
    }).compile(schema);
  }
  return validator;
}

/**
 * What is wrong with a Compose file's text: YAML that does not parse (duplicate keys included),
 * or a document the Compose Specification does not allow. Empty when nothing is.
 */
export function lintCompose(text: string): string[] {
  let document: unknown;
  try {
    // Compose files may use merge keys (`<<: *anchor`), which js-yaml leaves off by default.
    document = load(text, { schema: CORE_SCHEMA.withTags(mergeTag) });
  } catch (error) {
    return [`not valid YAML: ${(error as Error).message}`];
  }
  const validate = composeValidator();
  if (validate(document)) return unknownDependencies(document as ComposeFile);
  const problems = (validate.errors ?? []).map((error) => {
    const where = error.instancePath === '' ? '(top level)' : error.instancePath;
    const extra =
      'additionalProperty' in error.params
        ? `: ${String(error.params.additionalProperty)}`
        : 'allowedValues' in error.params
          ? `: ${(error.params.allowedValues as unknown[]).join(', ')}`
          : '';
    return `${where} ${error.message ?? 'is not allowed'}${extra}`;
  });
  return [...new Set(problems)];
}

interface ComposeFile {
  services?: Record<string, { depends_on?: string[] | Record<string, unknown> } | null>;
}

/** The schema cannot see that a service waits for one the file does not define; Compose refuses it. */
function unknownDependencies(document: ComposeFile): string[] {
  const services = document.services ?? {};
  const problems: string[] = [];
  for (const [name, service] of Object.entries(services)) {
    const dependsOn = service?.depends_on ?? [];
    for (const dependency of Array.isArray(dependsOn) ? dependsOn : Object.keys(dependsOn)) {
      if (!(dependency in services))
        problems.push(`/services/${name}/depends_on names a service that is not defined: ${dependency}`);
    }
  }
  return problems;
}

/** `npm run lint:docker`: checks the Compose files given (docker-compose.yml by default). */
function main(): void {
  const paths = process.argv.slice(2);
  let failed = false;
  for (const path of paths.length > 0 ? paths : ['docker-compose.yml']) {
    const problems = lintCompose(readFileSync(path, 'utf8'));
    for (const problem of problems) process.stderr.write(`${path}: ${problem}\n`);
    if (problems.length > 0) failed = true;
    else process.stdout.write(`${path}: valid Compose file\n`);
  }
  if (failed) process.exitCode = 1;
}

if (require.main === module) main();
