import '../node-version';
import 'reflect-metadata';
import { ConfigValidationError, loadConfig } from '../config/load-config';
import { describeFailure, runAdminCommandWithStatus } from './admin-cli';

/** `npm run -s cli -- <command> [options]`: one JSON line on stdout, or `{error}` on stderr. */
async function main(): Promise<void> {
  try {
    const { value, exitCode } = await runAdminCommandWithStatus(process.argv.slice(2), () =>
      loadConfig(process.env),
    );
    if (value !== undefined) process.stdout.write(`${JSON.stringify(value)}\n`);
    process.exitCode = exitCode;
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${JSON.stringify({ error: error.message })}\n`);
      process.exitCode = 1;
      return;
    }
    const { message, exitCode } = describeFailure(error);
    process.stderr.write(`${JSON.stringify({ error: message })}\n`);
    process.exitCode = exitCode;
  }
}

void main();
