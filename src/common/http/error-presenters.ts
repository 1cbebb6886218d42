import { ErrorCode } from '../errors/error-code';

export interface Problem {
  status: number;
  code: ErrorCode;
  message: string;
}

/** Seed 002's envelope, used by /api/billing/*. */
export interface EnvelopeErrorBody {
  success: false;
  error: { code: ErrorCode; message: string };
}

/** Seeds 000 and 001's `{error}`, used by every other endpoint. */
export interface SimpleErrorBody {
  error: string;
}

const ENVELOPE_PREFIXES = ['/api/billing/', '/api/billing?'];

/** Each API family answers errors in the shape its seed documents. */
export function presentError(path: string, problem: Problem): EnvelopeErrorBody | SimpleErrorBody {
  if (usesEnvelope(path)) return { success: false, error: { code: problem.code, message: problem.message } };
  return { error: problem.message };
}

function usesEnvelope(path: string): boolean {
  return ENVELOPE_PREFIXES.some((prefix) => path.startsWith(prefix)) || path === '/api/billing';
}
