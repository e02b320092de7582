import { DataPlaneConfigError, loadDataPlaneConfig } from './config/data-plane-config';
import { DataPlaneStartError, startDataPlane } from './data-plane';

export { startDataPlane, DataPlaneStartError, type DataPlane } from './data-plane';
export { loadDataPlaneConfig, DataPlaneConfigError, type DataPlaneConfig } from './config/data-plane-config';
export type { ApplyOutcome } from './snapshot/snapshot-applier';
export type { ConfigStatus } from './status/status-server';

async function main(): Promise<void> {
  const config = loadDataPlaneConfig();
  const dataPlane = await startDataPlane(config);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      console.error(`data plane ${config.dataPlaneId}: second ${signal}, exiting without draining`);
      process.exit(1);
    }
    dataPlane.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

// Started as a program; imported, it only exports startDataPlane and the config loader.
if (require.main === module) {
  main().catch((error: unknown) => {
    const isExpected = error instanceof DataPlaneConfigError || error instanceof DataPlaneStartError;
    console.error(isExpected ? error.message : error);
    process.exit(1);
  });
}
