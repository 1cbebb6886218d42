import fc from 'fast-check';
import { MAX_JSON_BODY_BYTES } from './contract';
import { JSON_CONTENT_TYPES, noiseHeaders, OTHER_CONTENT_TYPES } from './json-poisons';
import { Probe } from './property';
import { Actors, Outgoing } from './requests';

// --- Sandbox pages ----------------------------------------------------------------------------

/** The sandbox's own ids, for near misses: a generated id is never one of them. */
export interface SandboxIds {
  checkout: string;
  all: string[];
}

/**
 * Ids of no open checkout session: near misses of the sandbox's real ids (always different from
 * them), random ids in the sandbox's format, ids of the sandbox's other objects (a customer is no
 * checkout), and any text. The real checkout id is filtered out. No NUL and at most Fastify's
 * 100-character parameter once encoded: sandbox-provider.e2e-spec.ts has a property for each.
 */
export function sandboxIdArbitrary(ids: SandboxIds): fc.Arbitrary<string> {
  const nearMiss = fc
    .tuple(
      fc.constantFrom(...ids.all),
      fc.nat(),
      fc.constantFrom('upper', 'drop', 'change', 'append', 'prepend', 'space'),
    )
    .map(([id, at, how]) => {
      const index = at % id.length;
      switch (how) {
        case 'upper':
          return id.toUpperCase();
        case 'drop':
          return id.slice(0, index) + id.slice(index + 1);
        case 'change':
          return id.slice(0, index) + (id[index] === 'a' ? 'b' : 'a') + id.slice(index + 1);
        case 'append':
          return `${id}x`;
        case 'prepend':
          return `x${id}`;
        default:
          return ` ${id}`;
      }
    });
  return fc
    .oneof(
      nearMiss,
      fc.stringMatching(/^cs_sbx_[0-9a-f]{24}$/),
      fc.constantFrom(...ids.all.filter((id) => id !== ids.checkout)), // other kinds' real ids
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
      fc.constantFrom(
        '.',
        '..',
        '../portal/x',
        "' OR 1=1 --",
        '"; DROP TABLE sandbox_objects; --',
        '%',
        '%zz',
        '\u202e',
        '😀',
      ),
    )
    .filter(
      (id) =>
        id.length > 0 &&
        !id.includes('\u0000') &&
        id !== ids.checkout &&
        encodeURIComponent(id).length <= 100,
    );
}

export function sandboxArbitrary(ids: SandboxIds, actors: Actors, post: boolean) {
  return fc.record({
    id: sandboxIdArbitrary(ids),
    query: fc.option(fc.constantFrom('x=1', '__proto__=1', 'id=..%2F', 'a=%zz', 'testMode=true')),
    headers: noiseHeaders(actors, post),
    body: post
      ? fc.option(
          fc.oneof(
            fc.record({
              type: fc.constant('application/x-www-form-urlencoded'),
              text: fc.constantFrom('', 'a=1', '__proto__[x]=1', 'constructor[prototype][x]=1', 'a=%zz&&='),
            }),
            fc.record({
              type: fc.constantFrom(...JSON_CONTENT_TYPES),
              text: fc.constantFrom('{', '{"__proto__":1}', '[]', ''),
            }),
            fc.record({ type: fc.constantFrom(...OTHER_CONTENT_TYPES), text: fc.string({ maxLength: 40 }) }),
            fc.record({
              type: fc.constant('application/x-www-form-urlencoded'),
              text: fc
                .integer({ min: MAX_JSON_BODY_BYTES + 1, max: 200_000 })
                .map((n) => `a=${'x'.repeat(n)}`),
            }),
          ),
        )
      : fc.constant(null),
  });
}

export function buildSandboxProbe(
  path: (encodedId: string) => string,
  method: 'GET' | 'POST',
  value: {
    id: string;
    query: string | null;
    headers: Record<string, string | string[]>;
    body: { type: string; text: string } | null;
  },
): Probe {
  const headers = { ...value.headers };
  let body: Buffer | undefined;
  if (value.body) {
    headers['content-type'] = value.body.type;
    body = Buffer.from(value.body.text);
  }
  const outgoing: Outgoing = {
    method,
    path: `${path(encodeURIComponent(value.id))}${value.query ? `?${value.query}` : ''}`,
    headers,
    body,
  };
  const size = body?.length ?? 0;
  // A post with an Origin other than the sandbox's own (none of the noise Origins is) is refused
  // as a cross-site form post before its id is looked at.
  const crossSite = method === 'POST' && headers.origin !== undefined;
  const refusal = crossSite ? 403 : 404;
  // A browser (a GET, or a post that accepts HTML) is answered a page; a script's post, {error}.
  const accept = [headers.accept ?? []].flat().join(',');
  const page = method === 'GET' || /text\/html/i.test(accept);
  return {
    outgoing,
    allowed: size > MAX_JSON_BODY_BYTES ? [refusal, 413] : [refusal],
    shape: page ? 'page' : 'simple',
    labels: [value.body ? `body ${value.body.type.split(';')[0]}` : 'no body'],
  };
}
