import './node-version';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.setup';
import { AppConfig } from './config/app-config';
import { ConfigValidationError, loadConfig } from './config/load-config';
import { startupSummary } from './logging/startup-summary';

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp(config);
  await app.listen({ port: config.port, host: config.host });
  const { fields, message } = startupSummary(config, listeningAddress(app.getHttpServer().address()));
  new Logger('Startup').log(fields, message);
  const logger = new Logger('Shutdown');

  // SIGTERM: stop listening, let requests in flight finish (new ones on open connections get
  // 503), then close the database; give up after SHUTDOWN_GRACE_MS.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log({ signal }, 'shutting down');
      setTimeout(() => {
        logger.error({ graceMs: config.shutdownGraceMs }, 'shutdown took too long; exiting');
        process.exit(1);
      }, config.shutdownGraceMs).unref();
      app.close().then(
        // A response whose connection closed with the server logs its completion on that close,
        // in a tick after the server's own: let those ticks run, so the log reads in order.
        () =>
          setImmediate(() => {
            logger.log('shut down');
            process.exit(0);
          }),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

function listeningAddress(address: string | AddressInfo | null): string {
  if (address === null) return 'nowhere';
  if (typeof address === 'string') return address;
  return address.family === 'IPv6'
    ? `[${address.address}]:${address.port}`
    : `${address.address}:${address.port}`;
}

void bootstrap();
