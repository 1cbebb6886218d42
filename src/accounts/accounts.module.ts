import { Module } from '@nestjs/common';
import { AccountsRepository } from './accounts.repository';
import { AdminService } from './admin.service';
import { ApiKeyRevocations } from './api-key-revocations';
import { ApiKeysRepository } from './api-keys.repository';

@Module({
  providers: [AccountsRepository, ApiKeysRepository, AdminService, ApiKeyRevocations],
  exports: [AccountsRepository, ApiKeysRepository, AdminService, ApiKeyRevocations],
})
export class AccountsModule {}
