import { Inject, Injectable } from '@nestjs/common';
import { AccountsRepository } from '../accounts/accounts.repository';
import { AdminService } from '../accounts/admin.service';
import { ApiKeysRepository } from '../accounts/api-keys.repository';
import { AppConfig } from '../config/app-config';
import { openDatabase } from '../database/open-database';

/**
 * What the command line needs of the configuration: the database, and for `setup` where the
 * service is and which redirect origins it allows. Read only when a command runs (`--help` needs none).
 */
export const CLI_CONFIG = Symbol('CLI_CONFIG');
export type AdminCliConfig = Pick<AppConfig, 'database' | 'publicUrl' | 'allowedRedirectOrigins'>;
export type CliConfig = () => AdminCliConfig;

/** Opens the database for one command, with the admin operations on it, and closes it after. */
@Injectable()
export class AdminSession {
  constructor(@Inject(CLI_CONFIG) private readonly config: CliConfig) {}

  /** The configuration, read (and so validated) on first use. */
  settings(): AdminCliConfig {
    return this.config();
  }

  async run<T>(work: (admin: AdminService) => Promise<T>): Promise<T> {
    const open = await openDatabase(this.config().database);
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
