import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { AccountsModule } from '../accounts/accounts.module';
import { OutboxModule } from '../events/outbox.module';
import { RateLimitStorageModule } from '../rate-limit/rate-limit.module';
import { AccountOverrideGuard } from './account-override.guard';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { ApiKeyStrategy, BearerApiKeyStrategy } from './api-key.strategy';
import { CredentialsGuard } from './credentials.guard';
import { JwtStrategy } from './jwt.strategy';
import { PostgresRevocationListener } from './postgres-revocation.listener';

@Module({
  imports: [PassportModule, AccountsModule, RateLimitStorageModule, OutboxModule],
  providers: [
    ApiKeyAuthenticator,
    PostgresRevocationListener,
    ApiKeyStrategy,
    BearerApiKeyStrategy,
    JwtStrategy,
    CredentialsGuard,
    AccountOverrideGuard,
  ],
  exports: [
    ApiKeyAuthenticator,
    CredentialsGuard,
    AccountOverrideGuard,
    AccountsModule,
    RateLimitStorageModule,
  ],
})
export class AuthModule {}
