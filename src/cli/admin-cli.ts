import { CommandFactory, CommandRunner, CommandRunnerService } from 'nest-commander';
import { DomainError } from '../common/errors/domain-errors';
import { AppConfig, DatabaseConfig } from '../config/app-config';
import { loadConfig } from '../config/load-config';
import { AdminCliModule } from './admin-cli.module';
import { UsageError } from './admin.commands';
import { CommandResult } from './admin-session';

export { UsageError } from './admin.commands';

export const CLI_NAME = 'npm run -s cli --';

type Program = Parameters<CommandRunner['setCommand']>[0];

/** The service's configuration, or only a database (the rest then as the defaults have it). */
type CliSettings = AppConfig | DatabaseConfig;

function cliConfig(settings: CliSettings): AppConfig {
  if (!('kind' in settings)) return settings;
  return { ...loadConfig({}), database: settings };
}

/** `--help` (or `help`) was asked for and printed: exit code 0, nothing else printed. */
class HelpShown extends Error {}

/**
 * Runs one admin command line (`argv` without node and the script) against the database and
 * returns its JSON-able result, or undefined when it printed help. Usage mistakes throw a
 * UsageError whose message carries the help of the command concerned; nothing is written to
 * stderr here (the caller prints errors as JSON).
 */
export async function runAdminCommand(
  argv: string[],
  config: CliSettings | (() => CliSettings),
): Promise<unknown> {
  return (await runAdminCommandWithStatus(argv, config)).value;
}

/**
 * As runAdminCommand, with the exit code the result goes with: 1 when the command printed what
 * it did but could not do all of it (a `sync` with failures), else 0.
 */
export async function runAdminCommandWithStatus(
  argv: string[],
  config: CliSettings | (() => CliSettings),
): Promise<{ value: unknown; exitCode: number }> {
  const settings = () => cliConfig(typeof config === 'function' ? config() : config);
  const app = await CommandFactory.createWithoutRunning(AdminCliModule.forRoot(settings), {
    logger: false,
    abortOnError: false,
    // Errors reach the caller, which prints them as JSON; help goes to stdout as commander writes it.
    outputConfiguration: { writeErr: () => undefined, outputError: () => undefined },
    serviceErrorHandler: (error) => {
      throw error;
    },
  });
  try {
    const runner = app.get(CommandRunnerService);
    const program = programOf(runner);
    let running: Program | undefined;
    configureProgram(program);
    program.hook('preAction', (_program, command) => {
      running = command;
    });
    try {
      await runner.run(['node', CLI_NAME, ...argv]);
    } catch (error) {
      if (error instanceof HelpShown) return { value: undefined, exitCode: 0 };
      if (error instanceof UsageError) throw withHelp(error, error.command ?? running ?? program);
      throw error;
    }
    const { value, exitCode } = app.get(CommandResult);
    return { value, exitCode };
  } finally {
    await app.close();
  }
}

function programOf(runner: CommandRunnerService): Program {
  return (runner as unknown as { commander: Program }).commander;
}

function configureProgram(program: Program): void {
  program
    .name(CLI_NAME)
    .usage('<command> [options]')
    .description(
      'The admin command line: accounts, API keys, grants and reconciliation with the payment provider. Every command prints one JSON ' +
        'value on stdout (an object, or an array for a list); an API key is printed once, when ' +
        'it is created. Errors are printed as {"error": …} on stderr (exit code 2 for a usage ' +
        'mistake, 1 otherwise). New here? Run "setup".',
    )
    .addHelpText('after', `\nRun "${CLI_NAME} <command> --help" for a command's options.`);
  for (const command of [program, ...program.commands]) {
    command.allowExcessArguments(false).exitOverride((error) => {
      if (error.exitCode === 0) throw new HelpShown(error.message);
      const message =
        error.code === 'commander.help' ? 'no command given' : error.message.replace(/^error: /, '');
      throw new UsageError(message, command);
    });
  }
}

function withHelp(error: UsageError, command: Program): UsageError {
  return new UsageError(`${error.message}\n\n${command.helpInformation().trimEnd()}`, command);
}

export function describeFailure(error: unknown): { message: string; exitCode: number } {
  if (error instanceof UsageError) return { message: error.message, exitCode: 2 };
  if (error instanceof DomainError) return { message: error.message, exitCode: 1 };
  return { message: error instanceof Error ? error.message : String(error), exitCode: 1 };
}
