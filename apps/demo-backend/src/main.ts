import { loadDemoBackendConfig } from './config/demo-backend-config';
import { startDemoBackend } from './demo-backend';

export { startDemoBackend, type DemoBackend, type DemoBackendOptions } from './demo-backend';

async function main(): Promise<void> {
  const config = loadDemoBackendConfig();
  const backend = await startDemoBackend(config);
  console.log(`demo backend "${backend.name}" listening ${backend.url}`);
  let isStopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (isStopping) return;
    isStopping = true;
    console.log(`demo backend stopping (${signal})`);
    void backend.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

// Started as a program; imported, it only exports startDemoBackend.
if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
