import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { BadRequestError } from '../errors/domain-errors';
import { parseAbsoluteHttpUrl } from '../validation/redirect-url';

/** Redirect URLs go only to origins the operator allowed (invariant 5: no open redirects). */
@Injectable()
export class RedirectUrlPolicy {
  constructor(private readonly config: AppConfig) {}

  assertAllowed(field: string, value: string): void {
    const url = parseAbsoluteHttpUrl(value);
    if (!url) throw new BadRequestError(`${field} must be an absolute http(s) URL`);
    if (!this.config.allowedRedirectOrigins.some((rule) => rule.matches(url))) {
      throw new BadRequestError(`${field} is not on an allowed origin (ALLOWED_REDIRECT_ORIGINS)`);
    }
  }
}
