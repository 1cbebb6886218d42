import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { BadRequestError } from '../errors/domain-errors';
import { normalizeRedirectUrl } from '../validation/redirect-url';
import { OriginRule } from './origin-rule';

/**
 * The origins redirect URLs may go to: ALLOWED_REDIRECT_ORIGINS, and with the sandbox provider the
 * service's own (PUBLIC_URL's), where its landing page /sandbox/return answers, whatever the list says.
 */
export function allowedRedirectOrigins(config: AppConfig): OriginRule[] {
  if (config.provider !== 'sandbox') return config.allowedRedirectOrigins;
  const own = OriginRule.parse(new URL(config.publicUrl).origin);
  return own ? [...config.allowedRedirectOrigins, own] : config.allowedRedirectOrigins;
}

/** Redirect URLs go only to origins the operator allowed (no open redirects: docs/guarantees.md#g5). */
@Injectable()
export class RedirectUrlPolicy {
  private readonly origins: OriginRule[];

  constructor(config: AppConfig) {
    this.origins = allowedRedirectOrigins(config);
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
      throw new BadRequestError(`${field} is not on an allowed origin (ALLOWED_REDIRECT_ORIGINS)`);
    }
    return normalized;
  }
}
