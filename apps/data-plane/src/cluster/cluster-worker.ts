import { applySnapshotDelta, deepFreeze, type ConfigSnapshot } from '@hotswap/config-snapshot';
import type { DataPlaneConfig } from '../config/data-plane-config';
import { startDataPlane, type DataPlane } from '../data-plane';
import { Logger } from '../observability/logger';
import type { PreparedSnapshot } from '../snapshot/snapshot-applier';
import { formatIssues } from '../snapshot/snapshot-compiler';
import type { PrimaryMessage, SnapshotChange, WorkerMessage } from './cluster-messages';

function send(message: WorkerMessage): void {
  process.send?.(message);
}

/**
 * A cluster worker: the proxy port (shared with the other workers by node:cluster) and nothing else. Snapshots
 * and backend states come from the primary over IPC; it answers each request of the primary. It drains and exits
 * when the primary says so, or when the primary is gone.
 */
export async function runClusterWorker(config: DataPlaneConfig, workerId: number): Promise<void> {
  const logger = Logger.forConfig(config, { dataPlaneId: config.dataPlaneId, worker: workerId });
  const workerConfig: DataPlaneConfig = { ...config, controlPlaneUrl: undefined, configFile: undefined };
  let held: PreparedSnapshot | undefined;
  let stopping: Promise<void> | undefined;

  // Registered before the data plane starts: IPC messages without a listener are lost.
  let resolveStarted!: (dataPlane: DataPlane) => void;
  const started = new Promise<DataPlane>((resolve) => (resolveStarted = resolve));
  const stop = (code: number): Promise<void> =>
    (stopping ??= started.then(async (dataPlane) => {
      await dataPlane.stop();
      process.exit(code);
    }));

  process.on('message', (message: PrimaryMessage) => {
    void started.then(async (dataPlane) => {
      switch (message.type) {
        case 'prepare': {
          const snapshot = snapshotOf(dataPlane, message.change);
          if ('reasons' in snapshot) {
            held = undefined;
            send({ type: 'prepared', requestId: message.requestId, reasons: snapshot.reasons });
            return;
          }
          const outcome = dataPlane.applier.prepare(snapshot.value, message.source, { isValidated: true });
          held = outcome.status === 'prepared' ? outcome : undefined;
          send({
            type: 'prepared',
            requestId: message.requestId,
            reasons: outcome.status === 'rejected' ? outcome.reasons : [],
          });
          return;
        }
        case 'commit': {
          held?.commit();
          held = undefined;
          send(appliedReply(dataPlane, message.requestId, []));
          return;
        }
        case 'abort':
          held = undefined;
          return;
        case 'sync': {
          const outcome = dataPlane.applier.applyNow(message.snapshot, message.source, { isValidated: true });
          send(appliedReply(dataPlane, message.requestId, outcome.status === 'rejected' ? outcome.reasons : []));
          return;
        }
        case 'backendStates':
          // Held per backend by sequence, in effect now and after every swap, as in a single process.
          dataPlane.backendStateUpdates.apply(message.message);
          return;
        case 'metrics':
          send({
            type: 'metrics',
            requestId: message.requestId,
            metrics: await dataPlane.metrics.registry.getMetricsAsJSON(),
          });
          return;
        case 'telemetry':
          send({ type: 'telemetry', requestId: message.requestId, sample: await dataPlane.telemetrySample() });
          return;
        case 'stop':
          await stop(0);
          return;
      }
    });
  });
  // The primary died (or closed the channel): nothing will feed this worker any more.
  process.on('disconnect', () => void stop(0));
  // The signals go to the primary, which stops the workers; a terminal's Ctrl-C reaches the whole group.
  process.on('SIGTERM', () => undefined);
  process.on('SIGINT', () => undefined);

  let dataPlane: DataPlane;
  try {
    dataPlane = await startDataPlane(workerConfig, { logger, isWorker: true });
  } catch (error) {
    send({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }
  resolveStarted(dataPlane);
  send({ type: 'listening', port: dataPlane.proxyPort });
}

/**
 * The snapshot a prepare carries: whole, or rebuilt on the one this worker runs (sharing its unchanged routes and
 * backends, which is what lets the compiler reuse their compiled form).
 */
function snapshotOf(dataPlane: DataPlane, change: SnapshotChange): { value: ConfigSnapshot } | { reasons: string[] } {
  if (change.kind === 'full') return { value: change.snapshot };
  const base = dataPlane.store.current?.compiled.snapshot;
  if (!base) return { reasons: ['delta.base: this worker runs no snapshot'] };
  const rebuilt = applySnapshotDelta(base, change.delta);
  if (!rebuilt.ok) return { reasons: formatIssues(rebuilt.issues) };
  return { value: deepFreeze(rebuilt.value) as unknown as ConfigSnapshot };
}

function appliedReply(dataPlane: DataPlane, requestId: number, reasons: string[]): WorkerMessage {
  const snapshot = dataPlane.store.current?.compiled.snapshot;
  return { type: 'applied', requestId, version: snapshot?.version ?? null, hash: snapshot?.hash ?? null, reasons };
}
