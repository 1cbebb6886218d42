import { DynamicModule, Module } from '@nestjs/common';
import {
  AddGrantCommand,
  CreateAccountCommand,
  CreateApiKeyCommand,
  ListAccountsCommand,
  ListApiKeysCommand,
  RevokeApiKeyCommand,
  SetupCommand,
} from './admin.commands';
import { AdminSession, CLI_CONFIG, CliConfig, CommandResult } from './admin-session';

/**
 * The admin command line's whole graph: its commands and one database session per run. No HTTP,
 * no payment provider and no logger, so that it starts quickly.
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
      ],
    };
  }
}
