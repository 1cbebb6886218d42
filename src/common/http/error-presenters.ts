import type { FastifyRequest } from 'fastify';
import { ErrorCode } from '../errors/error-code';

export interface Problem {
  status: number;
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/** The checkout document's envelope, used by /api/billing/* (docs/api.md#errors). */
export interface EnvelopeErrorBody {
  success: false;
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

/** The sessions and portal documents' `{error}`, used by every other endpoint. */
export interface SimpleErrorBody {
  error: string;
}

const ENVELOPE_ROOT = '/api/billing';

/** What a presenter needs to know of a request: its route, if one matched, and its URL. */
export type ErrorRequest = Pick<FastifyRequest, 'url'> & { routeOptions?: { url?: string } };

/** Each API family answers errors in the shape its API document gives. */
export function presentError(request: ErrorRequest, problem: Problem): EnvelopeErrorBody | SimpleErrorBody {
  if (usesEnvelope(familyPath(request))) {
    const { code, message, details } = problem;
    return { success: false, error: details ? { code, message, details } : { code, message } };
  }
  return { error: problem.message };
}

/**
 * The path that names a request's API family: the route that answers it when one matched
 * (`/api/%62illing/checkout` is answered by `/api/billing/checkout`), else its own path, decoded
 * the way the router decodes it, segment by segment (a malformed escape stays as written).
 */
export function familyPath(request: ErrorRequest): string {
  const route = request.routeOptions?.url;
  if (route) return route;
  const path = (request.url ?? '').split('?')[0];
  return path.split('/').map(decodeSegment).join('/');
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function usesEnvelope(path: string): boolean {
  return path === ENVELOPE_ROOT || path.startsWith(`${ENVELOPE_ROOT}/`);
}
