import { Module } from '@nestjs/common';
import { AccountsRepository } from './accounts.repository';
import { AdminService } from './admin.service';
import { ApiKeysRepository } from './api-keys.repository';

@Module({
  providers: [AccountsRepository, ApiKeysRepository, AdminService],
  exports: [AccountsRepository, ApiKeysRepository, AdminService],
})
export class AccountsModule {}
