import { DynamicModule, Module } from '@nestjs/common';
import {
  AddGrantCommand,
  CreateAccountCommand,
  CreateApiKeyCommand,
  RevokeApiKeyCommand,
} from './admin.commands';
import { AdminSession, CLI_DATABASE_CONFIG, CliDatabaseConfig, CommandResult } from './admin-session';

/**
 * The admin command line's whole graph: its commands and one database session per run. No HTTP,
 * no payment provider and no logger, so that it starts quickly.
 */
@Module({})
export class AdminCliModule {
  static forRoot(databaseConfig: CliDatabaseConfig): DynamicModule {
    return {
      module: AdminCliModule,
      providers: [
        { provide: CLI_DATABASE_CONFIG, useValue: databaseConfig },
        AdminSession,
        CommandResult,
        CreateAccountCommand,
        CreateApiKeyCommand,
        RevokeApiKeyCommand,
        AddGrantCommand,
      ],
    };
  }
}
