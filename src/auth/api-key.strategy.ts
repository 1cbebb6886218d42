import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { looksLikeApiKey } from './api-key-secret';
import { Principal } from './principal';

export const API_KEY_STRATEGY = 'api-key';
export const BEARER_API_KEY_STRATEGY = 'api-key-bearer';

/** `x-api-key: <key>` (seed 000's apiKeyAuth scheme). */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(HeaderAPIKeyStrategy, API_KEY_STRATEGY) {
  constructor(private readonly authenticator: ApiKeyAuthenticator) {
    super({ header: 'x-api-key', prefix: '' }, false);
  }

  async validate(apiKey: string): Promise<Principal | false> {
    return (await this.authenticator.authenticate(apiKey)) ?? false;
  }
}

/** `Authorization: Bearer <key>`: a bearer value that is one of our API keys counts as one. */
@Injectable()
export class BearerApiKeyStrategy extends PassportStrategy(HeaderAPIKeyStrategy, BEARER_API_KEY_STRATEGY) {
  constructor(private readonly authenticator: ApiKeyAuthenticator) {
    super({ header: 'authorization', prefix: 'Bearer ' }, false);
  }

  async validate(token: string): Promise<Principal | false> {
    if (!looksLikeApiKey(token)) return false;
    return (await this.authenticator.authenticate(token)) ?? false;
  }
}
