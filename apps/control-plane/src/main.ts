import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { createApp } from './app';
import { createControlPlaneLogger, useJsonLogger } from './common/logging/json-logger';
import { ConfigError, describeAppConfig, loadAppConfig, type AppConfig } from './config/app-config';
import { runMigrations } from './database/migrate';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadAppConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  useJsonLogger(createControlPlaneLogger(config));
  const logger = new Logger('ControlPlane');
  logger.log({ message: 'configuration', config: describeAppConfig(config) });
  await runMigrations(config.databaseUrl, { log: (line) => logger.log(line) });
  const app = await createApp(config);
  app.enableShutdownHooks();
  await app.listen(config.http.port, config.http.host);
  const { port } = app.getHttpServer().address() as AddressInfo;
  logger.log(`control plane listening http://${config.http.host}:${port}`);
}

main().catch((error: unknown) => {
  new Logger('ControlPlane').fatal('control plane failed to start', error instanceof Error ? error.stack : error);
  process.exit(1);
});
