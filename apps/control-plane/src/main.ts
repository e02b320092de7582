import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { createApp } from './app';
import { ConfigError, loadAppConfig, type AppConfig } from './config/app-config';
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
  const logger = new Logger('ControlPlane');
  await runMigrations(config.databaseUrl, { log: (line) => logger.log(line) });
  const app = await createApp(config);
  app.enableShutdownHooks();
  await app.listen(config.http.port, config.http.host);
  const { port } = app.getHttpServer().address() as AddressInfo;
  process.stdout.write(`control plane listening http://${config.http.host}:${port}\n`);
}

main().catch((error: unknown) => {
  console.error('control plane failed to start:', error);
  process.exit(1);
});
