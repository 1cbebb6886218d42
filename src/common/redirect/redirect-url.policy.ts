import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { BadRequestError } from '../errors/domain-errors';
import { normalizeRedirectUrl } from '../validation/redirect-url';
import { OriginRule } from './origin-rule';

/** Beyond this many, the refusal names the first few and how many more there are. */
const ORIGINS_NAMED = 5;

/** Redirect URLs go only to origins the operator allowed (no open redirects: docs/guarantees.md#g5). */
@Injectable()
export class RedirectUrlPolicy {
  private readonly origins: OriginRule[];
  /** The allowed origins as written: the origins are no secret (the CSP lists them). */
  private readonly allowed: string;

  constructor(config: AppConfig) {
    this.origins = config.allowedRedirectOrigins;
    const origins = this.origins.map((rule) => rule.text);
    const named = origins.slice(0, ORIGINS_NAMED).join(', ');
    const more = origins.length - ORIGINS_NAMED;
    this.allowed = origins.length === 0 ? 'none' : more > 0 ? `${named} and ${more} more` : named;
  }

  /**
   * Judges the URL in its normalised form (the one browsers follow) and returns that form, which
   * is what is to be stored and sent to the provider.
   */
  assertAllowed(field: string, value: string): string {
    const normalized = normalizeRedirectUrl(value);
    if (normalized === null) throw new BadRequestError(`${field} must be an absolute http(s) URL`);
    const url = new URL(normalized);
    if (!this.origins.some((rule) => rule.matches(url))) {
      throw new BadRequestError(
        `${field} is not on an allowed origin (${this.allowed}); set ALLOWED_REDIRECT_ORIGINS to allow others`,
      );
    }
    return normalized;
  }
}
