import { ConfigError, loadAppConfig } from './config/app-config';
import { runMigrations } from './database/migrate';

/** `npm run db:migrate`: applies pending migrations to DATABASE_URL and writes the initial snapshot if needed. */
async function main(): Promise<void> {
  const config = loadAppConfig();
  const result = await runMigrations(config.databaseUrl, { log: (line) => console.log(line) });
  console.log(`migrations: ${result.applied.length} applied, ${result.skipped.length} already applied`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
