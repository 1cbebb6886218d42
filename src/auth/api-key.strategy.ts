import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { looksLikeApiKey } from './api-key-secret';
import { Principal } from './principal';

export const API_KEY_STRATEGY = 'api-key';
export const BEARER_API_KEY_STRATEGY = 'api-key-bearer';

/** `x-api-key: <key>` (the sessions document's apiKeyAuth scheme, docs/api.md#sources). */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(HeaderAPIKeyStrategy, API_KEY_STRATEGY) {
  constructor(private readonly authenticator: ApiKeyAuthenticator) {
    super({ header: 'x-api-key', prefix: '' }, false);
  }

  async validate(apiKey: string): Promise<Principal | false> {
    return (await this.authenticator.authenticate(apiKey)) ?? false;
  }
}

const BEARER = /^bearer\s+/i;

/** `Authorization: Bearer <key>`: a bearer value that is one of our API keys counts as one. */
@Injectable()
export class BearerApiKeyStrategy extends PassportStrategy(HeaderAPIKeyStrategy, BEARER_API_KEY_STRATEGY) {
  constructor(private readonly authenticator: ApiKeyAuthenticator) {
    // The scheme name is case-insensitive (RFC 9110), so the prefix is checked here, not by passport.
    super({ header: 'authorization', prefix: '' }, false);
  }

  async validate(header: string): Promise<Principal | false> {
    if (!BEARER.test(header)) return false;
    const token = header.replace(BEARER, '');
    if (!looksLikeApiKey(token)) return false;
    return (await this.authenticator.authenticate(token)) ?? false;
  }
}
