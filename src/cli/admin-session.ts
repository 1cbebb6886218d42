import { Inject, Injectable } from '@nestjs/common';
import { AccountsRepository } from '../accounts/accounts.repository';
import { AdminService } from '../accounts/admin.service';
import { ApiKeysRepository } from '../accounts/api-keys.repository';
import { DatabaseConfig } from '../config/app-config';
import { openDatabase } from '../database/open-database';

/** Where the command line finds its database; read only when a command runs (`--help` needs none). */
export const CLI_DATABASE_CONFIG = Symbol('CLI_DATABASE_CONFIG');
export type CliDatabaseConfig = () => DatabaseConfig;

/** Opens the database for one command, with the admin operations on it, and closes it after. */
@Injectable()
export class AdminSession {
  constructor(@Inject(CLI_DATABASE_CONFIG) private readonly databaseConfig: CliDatabaseConfig) {}

  async run<T>(work: (admin: AdminService) => Promise<T>): Promise<T> {
    const open = await openDatabase(this.databaseConfig());
    try {
      return await work(
        new AdminService(new AccountsRepository(open.database), new ApiKeysRepository(open.database)),
      );
    } finally {
      await open.close();
    }
  }
}

/** The JSON-able answer of the command that ran, printed by the caller once the context is closed. */
@Injectable()
export class CommandResult {
  value: unknown = undefined;
}
