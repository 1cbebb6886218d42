import { TestAccount } from '../../support/test-app';
import { ENVELOPE_CODE, HARD_BODY_LIMIT_BYTES, MAX_JSON_BODY_BYTES } from './contract';
import { RawJson } from './values';

// --- Requests ------------------------------------------------------------------------------

/**
 * `page`: a sandbox page asked for by a browser (a GET, or a post that accepts text/html). Its
 * error is an HTML page in the sandbox's style, or `{error}` when the service's edge refused the
 * request before any page was reached (a malformed URL, a body over the limit).
 */
export type Shape = 'simple' | 'envelope' | 'page';

export type Credential =
  | { kind: 'key'; who: 'self' | 'admin'; via: 'x-api-key' | 'Bearer ' | 'bearer ' | 'BEARER   ' }
  | { kind: 'bad'; header: 'none' | 'x-api-key' | 'authorization'; value: string };

export type Body =
  | { kind: 'fields'; entries: Array<[RawJson, RawJson]>; spacing: string }
  | { kind: 'raw'; bytes: Buffer }
  | { kind: 'none' };

/** A request on its way to being sent; poisons and noise edit it. */
export interface Draft {
  method: 'GET' | 'POST';
  path: string;
  credential: Credential;
  query: Array<[string, string | null]>;
  headers: Record<string, string | string[]>;
  contentType: string | null;
  malformedContentType: boolean;
  body: Body;
  byteEdits: ByteEdit[];
  bom: boolean;
  chunked: boolean;
  /** An accountId that this credential may not act for is in the request (403, or 404). */
  override: boolean;
  /** ?testMode=true, which this suite's service has no credentials for (404). */
  testModeOn: boolean;
}

export type ByteEdit =
  | { kind: 'truncated'; keep: number }
  | { kind: 'trailing-garbage'; garbage: string }
  | { kind: 'invalid-utf8'; at: number; bytes: number[] }
  | { kind: 'utf16'; bom: boolean };

export interface Outgoing {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
  chunked?: boolean;
}

export interface Answer {
  status: number;
  contentType: string;
  text: string;
  json: unknown;
}

/** The accounts one endpoint's requests use. */
export interface Actors {
  /** The account whose key a valid request would use (the portal's has a provider customer). */
  self: TestAccount;
  /** A key with the admin scope, on an account that is no platform admin and holds no grant. */
  admin: TestAccount;
  /** Another account: the target of override attempts. */
  other: TestAccount;
}

export function renderBody(draft: Draft): Buffer | undefined {
  let bytes: Buffer | undefined;
  if (draft.body.kind === 'fields') {
    const s = draft.body.spacing;
    const text = `{${s}${draft.body.entries.map(([key, value]) => `${key}${s}:${s}${value}`).join(`,${s}`)}${s}}`;
    bytes = Buffer.from(text, 'utf8');
  } else if (draft.body.kind === 'raw') {
    bytes = draft.body.bytes;
  }
  for (const edit of draft.byteEdits) {
    const current = bytes ?? Buffer.alloc(0);
    switch (edit.kind) {
      case 'truncated':
        bytes = current.subarray(0, Math.floor(current.length * edit.keep));
        break;
      case 'trailing-garbage':
        bytes = Buffer.concat([current, Buffer.from(edit.garbage, 'utf8')]);
        break;
      case 'invalid-utf8': {
        const at = current.length === 0 ? 0 : edit.at % (current.length + 1);
        bytes = Buffer.concat([current.subarray(0, at), Buffer.from(edit.bytes), current.subarray(at)]);
        break;
      }
      case 'utf16':
        bytes = Buffer.concat([
          edit.bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0),
          Buffer.from(current.toString('utf8'), 'utf16le'),
        ]);
        break;
    }
  }
  if (draft.bom && bytes !== undefined) bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
  return bytes;
}

export function render(draft: Draft, actors: Actors): Outgoing {
  const headers: Record<string, string | string[]> = { ...draft.headers };
  const credential = draft.credential;
  if (credential.kind === 'key') {
    const key = credential.who === 'admin' ? actors.admin.apiKey : actors.self.apiKey;
    if (credential.via === 'x-api-key') headers['x-api-key'] = key;
    else headers.authorization = `${credential.via}${key}`;
  } else if (credential.header !== 'none') {
    headers[credential.header] = credential.value;
  }
  if (draft.contentType !== null) headers['content-type'] = draft.contentType;
  const query = draft.query.map(([name, value]) => (value === null ? name : `${name}=${value}`)).join('&');
  return {
    method: draft.method,
    path: query ? `${draft.path}?${query}` : draft.path,
    headers,
    body: renderBody(draft),
    chunked: draft.chunked,
  };
}

/** The statuses a request made invalid by these poisons may get (never 2xx, never 5xx). */
export function allowedStatuses(draft: Draft, bodySize: number): number[] {
  // Fastify refuses a content type it cannot parse (415) before it reads the body.
  if (bodySize > HARD_BODY_LIMIT_BYTES) return draft.malformedContentType ? [413, 415] : [413];
  const allowed = new Set<number>();
  if (bodySize > MAX_JSON_BODY_BYTES) allowed.add(413);
  if (draft.malformedContentType) allowed.add(415);
  if (draft.credential.kind === 'bad') {
    // Authentication comes first: 401, or 429 once an IP has failed too often.
    allowed.add(401);
    allowed.add(429);
    return [...allowed];
  }
  allowed.add(400);
  if (draft.override) {
    allowed.add(403);
    allowed.add(404);
  }
  if (draft.testModeOn) allowed.add(404);
  return [...allowed];
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export const hasExactKeys = (value: Record<string, unknown>, keys: string[]) =>
  Object.keys(value).sort().join(',') === [...keys].sort().join(',');

/** Why the answer is not an error in the endpoint's own shape, or null when it is. */
export function shapeProblem(shape: Shape, answer: Answer): string | null {
  if (shape === 'page' && answer.contentType.startsWith('text/html')) return sandboxPageProblem(answer);
  if (!answer.contentType.startsWith('application/json')) return `content-type is "${answer.contentType}"`;
  const body = answer.json;
  if (shape === 'simple' || shape === 'page') {
    if (!isRecord(body) || !hasExactKeys(body, ['error'])) return 'the body is not exactly {error}';
    if (typeof body.error !== 'string' || body.error.length === 0) return 'error is not a non-empty string';
    return null;
  }
  if (!isRecord(body) || !hasExactKeys(body, ['success', 'error'])) return 'the body is not {success, error}';
  if (body.success !== false) return 'success is not false';
  if (!isRecord(body.error)) return 'error is not {code, message}';
  // `details` comes only with what the caller can act on (an invalid price: its reason).
  const withDetails =
    hasExactKeys(body.error, ['code', 'message', 'details']) && isRecord(body.error.details);
  if (!withDetails && !hasExactKeys(body.error, ['code', 'message'])) return 'error is not {code, message}';
  if (body.error.code !== ENVELOPE_CODE[answer.status])
    return `code ${String(body.error.code)} does not go with status ${answer.status}`;
  if (typeof body.error.message !== 'string' || body.error.message.length === 0) return 'message is empty';
  return null;
}

/** An error page of the sandbox's: HTML in UTF-8, its title, its banner, one heading. */
function sandboxPageProblem(answer: Answer): string | null {
  if (answer.contentType !== 'text/html; charset=utf-8') return `content-type is "${answer.contentType}"`;
  if (!/<title>[^<]+ · Sandbox<\/title>/.test(answer.text)) return 'the page has no sandbox title';
  if (!answer.text.includes('No real payment is taken')) return 'the page has no sandbox banner';
  if ((answer.text.match(/<h1>/g) ?? []).length !== 1) return 'the page has not exactly one h1';
  return null;
}

/** Throws, with the answer in the message, unless it is a 4xx (or one of `allowed`) in `shape`. */
export function expectErrorAnswer(answer: Answer, shape: Shape, allowed?: number[]): void {
  const statusOk = allowed ? allowed.includes(answer.status) : answer.status >= 400 && answer.status < 500;
  const problem = shapeProblem(shape, answer);
  if (!statusOk || problem !== null) {
    throw new Error(
      `got ${answer.status} ${answer.text.slice(0, 300)}; expected ${allowed ? allowed.join(' or ') : 'a 4xx'}` +
        ` in the ${shape} shape${problem ? ` (${problem})` : ''}`,
    );
  }
}
