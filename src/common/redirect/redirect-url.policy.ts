import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { BadRequestError } from '../errors/domain-errors';
import { normalizeRedirectUrl } from '../validation/redirect-url';

/** Redirect URLs go only to origins the operator allowed (no open redirects: docs/guarantees.md#g5). */
@Injectable()
export class RedirectUrlPolicy {
  constructor(private readonly config: AppConfig) {}

  /**
   * Judges the URL in its normalised form (the one browsers follow) and returns that form, which
   * is what is to be stored and sent to the provider.
   */
  assertAllowed(field: string, value: string): string {
    const normalized = normalizeRedirectUrl(value);
    if (normalized === null) throw new BadRequestError(`${field} must be an absolute http(s) URL`);
    const url = new URL(normalized);
    if (!this.config.allowedRedirectOrigins.some((rule) => rule.matches(url))) {
      throw new BadRequestError(`${field} is not on an allowed origin (ALLOWED_REDIRECT_ORIGINS)`);
    }
    return normalized;
  }
}
