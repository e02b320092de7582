import cluster from 'node:cluster';
import { runClusterWorker } from './cluster/cluster-worker';
import { WorkerPool } from './cluster/worker-pool';
import { DataPlaneConfigError, loadDataPlaneConfig } from './config/data-plane-config';
import { DataPlaneStartError, startDataPlane } from './data-plane';
import { Logger } from './observability/logger';

export { startDataPlane, DataPlaneStartError, type DataPlane } from './data-plane';
export { loadDataPlaneConfig, DataPlaneConfigError, type DataPlaneConfig } from './config/data-plane-config';
export type { ApplyOutcome } from './snapshot/snapshot-applier';
export type { ConfigStatus } from './status/status-server';

async function main(): Promise<void> {
  const config = loadDataPlaneConfig();
  if (cluster.isWorker) return runClusterWorker(config, cluster.worker?.id ?? 0);
  const logger = Logger.forConfig(config, { dataPlaneId: config.dataPlaneId });
  const dataPlane = await startDataPlane(config, {
    logger,
    primary: config.workers > 1 ? new WorkerPool(config, logger) : undefined,
  });
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
