import { DynamicModule, Module } from '@nestjs/common';
import {
  AddGrantCommand,
  CreateAccountCommand,
  CreateApiKeyCommand,
  ListAccountsCommand,
  ListApiKeysCommand,
  RevokeApiKeyCommand,
  SetupCommand,
  SyncCommand,
} from './admin.commands';
import { AdminSession, CLI_CONFIG, CliConfig, CommandResult } from './admin-session';

/**
 * The admin command line's whole graph: its commands and one database session per run. No HTTP,
 * and no logger; the payment provider only for `sync`, loaded when it runs, so that the others
 * start quickly.
 */
@Module({})
export class AdminCliModule {
  static forRoot(config: CliConfig): DynamicModule {
    return {
      module: AdminCliModule,
      providers: [
        { provide: CLI_CONFIG, useValue: config },
        AdminSession,
        CommandResult,
        // In the order --help lists them: the one-step start first.
        SetupCommand,
        CreateAccountCommand,
        ListAccountsCommand,
        CreateApiKeyCommand,
        ListApiKeysCommand,
        RevokeApiKeyCommand,
        AddGrantCommand,
        SyncCommand,
      ],
    };
  }
}
