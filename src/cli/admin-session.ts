import { Inject, Injectable } from '@nestjs/common';
import { AccountsRepository } from '../accounts/accounts.repository';
import { AdminService } from '../accounts/admin.service';
import { ApiKeysRepository } from '../accounts/api-keys.repository';
import { AppConfig } from '../config/app-config';
import { openDatabase } from '../database/open-database';
import type { ReconciliationReport } from '../reconciliation/reconciliation.service';

/**
 * What the command line needs of the configuration: the database, and for `setup` where the
 * service is and which redirect origins it allows. Read only when a command runs (`--help` needs none).
 */
export const CLI_CONFIG = Symbol('CLI_CONFIG');
export type AdminCliConfig = Pick<AppConfig, 'database' | 'publicUrl' | 'allowedRedirectOrigins'>;
export type CliConfig = () => AppConfig;

/** Opens the database for one command, with the admin operations on it, and closes it after. */
@Injectable()
export class AdminSession {
  constructor(@Inject(CLI_CONFIG) private readonly config: CliConfig) {}

  /** The configuration, read (and so validated) on first use. */
  settings(): AppConfig {
    return this.config();
  }

  /**
   * A reconciliation round with the provider (`sync`): the service's reconciliation, with the
   * payment provider, loaded only for this command so that the others start quickly.
   */
  async reconcile(accountId: string | undefined): Promise<ReconciliationReport> {
    const [{ NestFactory }, { ReconciliationCliModule }, { ReconciliationService }] = await Promise.all([
      import('@nestjs/core'),
      import('../reconciliation/reconciliation-cli.module'),
      import('../reconciliation/reconciliation.service'),
    ]);
    const app = await NestFactory.createApplicationContext(ReconciliationCliModule.forRoot(this.config()), {
      logger: false,
      abortOnError: false,
    });
    try {
      return await app.get(ReconciliationService).run({ accountId });
    } finally {
      await app.close();
    }
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
  /** 1 when the command printed its result but did not do all of it (a sync with failures). */
  exitCode = 0;
}
