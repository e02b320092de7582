import type { AddressInfo } from 'node:net';
import type { ConfigSnapshot } from '@hotswap/config-snapshot';
import { startTracing } from '@hotswap/observability';
import type { BackendStates__Output } from '@hotswap/proto';
import { BUILD_VERSION } from './config/build-info';
import { describeDataPlaneConfig, maskRedisUrl, type DataPlaneConfig } from './config/data-plane-config';
import { AccessLog } from './observability/access-log';
import { GatewayMetrics } from './observability/gateway-metrics';
import { Logger } from './observability/logger';
import { RequestTracer } from './observability/request-tracer';
import { BackendStateRegistry } from './proxy/backend-states';
import { BREAKER_STATE_VALUE } from './proxy/circuit-breaker';
import { ProxyHandler } from './proxy/proxy-handler';
import { GatewayProxyServer } from './proxy/proxy-server';
import { RedisRateLimitStore } from './proxy/rate-limit/redis-rate-limit-store';
import { RateLimiterCompiler } from './proxy/rate-limit/route-rate-limiter';
import { UpgradeHandler } from './proxy/upgrade-handler';
import type { SnapshotSource } from './snapshot/compiled-snapshot';
import { BackendStateUpdates } from './snapshot/backend-state-updates';
import { SnapshotApplier, type ApplyOutcome } from './snapshot/snapshot-applier';
import { SnapshotCache } from './snapshot/snapshot-cache';
import { SnapshotCompiler } from './snapshot/snapshot-compiler';
import { readSnapshotFile } from './snapshot/snapshot-file';
import { SnapshotStore } from './snapshot/snapshot-store';
import { SnapshotStreamClient } from './snapshot/snapshot-stream-client';
import { StatusServer, type ConfigStatus } from './status/status-server';
import { TelemetryCollector } from './telemetry/telemetry-collector';
import { TelemetryReporter } from './telemetry/telemetry-reporter';
import { mergeTelemetrySamples, type TelemetrySample } from './telemetry/telemetry-sample';

/** A running data plane. */
export interface DataPlane {
  readonly id: string;
  /** `http://<GATEWAY_HOST>:<bound port>` */
  readonly proxyUrl: string;
  readonly statusUrl: string;
  readonly proxyPort: number;
  readonly statusPort: number;
  readonly store: SnapshotStore;
  /** Live state per backend (breakers, counters, health and breaker overrides), kept across snapshot swaps. */
  readonly backendStates: BackendStateRegistry;
  readonly applier: SnapshotApplier;
  readonly metrics: GatewayMetrics;
  /** The control plane's backend states (health, forced breakers) as received, in effect after every swap. */
  readonly backendStateUpdates: BackendStateUpdates;
  /** Ends this process's telemetry window: its counts and state (a cluster worker's answer to its primary). */
  telemetrySample(): Promise<TelemetrySample>;
  /** Applies a snapshot (untrusted JSON) as if it came from `source`; the same path the stream takes. */
  apply(snapshot: unknown, source?: SnapshotSource): Promise<ApplyOutcome>;
  configStatus(): ConfigStatus;
  /** Graceful shutdown: not ready, stop accepting, drain in-flight requests (GATEWAY_DRAIN_SECONDS), close the stream. */
  stop(): Promise<void>;
}

/**
 * How a cluster primary (src/cluster/) takes part: it owns the stream, the cache and the status port, but the
 * proxy port is its workers'. Snapshots are applied on every worker before the primary's own swap, backend states
 * from the control plane go to every worker, and /metrics, /config and readiness account for the workers.
 */
export interface PrimaryRole {
  /** Resolves with the bound proxy address once the workers listen. */
  listening(): Promise<AddressInfo>;
  /** Applies a validated snapshot on every worker (two phases); resolves with refusal reasons, [] when applied. */
  applyOnWorkers: (snapshot: ConfigSnapshot, source: SnapshotSource) => Promise<string[]>;
  backendStatesReceived: (message: BackendStates__Output) => void;
  metrics(): Promise<{ contentType: string; text: string }>;
  /** Ends every worker's telemetry window: their samples (the primary reports them as one). */
  telemetry(): Promise<TelemetrySample[]>;
  workers(): WorkerStatus[];
  /** Drains and stops every worker (GATEWAY_DRAIN_SECONDS each, in parallel); resolves with whether all drained. */
  stop(): Promise<boolean>;
}

/** One cluster worker in `GET /config`. */
export interface WorkerStatus {
  workerId: number;
  pid: number;
  listening: boolean;
  version: number | null;
  hash: string | null;
}

/** The data plane cannot start: the reasons, one per problem. */
export class DataPlaneStartError extends Error {
  constructor(
    message: string,
    readonly reasons: string[],
  ) {
    super(`${message}:\n${reasons.map((reason) => `  - ${reason}`).join('\n')}`);
    this.name = 'DataPlaneStartError';
  }
}

/**
 * Starts a data plane: the proxy and status ports, then its configuration in the order of DESIGN §2: the stream
 * from the control plane (when CONTROL_PLANE_GRPC_URL is set) replaces whatever is active as soon as it delivers;
 * meanwhile the newest valid snapshot of the disk cache is served, else the `--config` file; else nothing is served
 * (not ready, 503). An invalid `--config` file refuses to start.
 */
export async function startDataPlane(
  config: DataPlaneConfig,
  options: {
    logger?: Logger;
    /** A cluster worker: the proxy port only; its primary feeds it snapshots and backend states. */
    isWorker?: boolean;
    primary?: PrimaryRole;
  } = {},
): Promise<DataPlane> {
  const logger = options.logger ?? Logger.forConfig(config, { dataPlaneId: config.dataPlaneId });
  const primary = options.primary;

  const fileSnapshot = config.configFile
    ? await readSnapshotFile(config.configFile, { defaultTimeoutSeconds: config.proxy.defaultTimeoutSeconds })
    : undefined;
  if (fileSnapshot && !fileSnapshot.ok) {
    throw new DataPlaneStartError(`invalid snapshot file ${config.configFile}`, fileSnapshot.reasons);
  }

  const store = new SnapshotStore();
  // Counted at scrape time only, when the proxy server exists.
  const metrics = new GatewayMetrics(
    config.dataPlaneId,
    (): Promise<number> => proxyServer.countConnections(),
    () => backendStates.countSelectable(),
  );
  const backendStates: BackendStateRegistry = new BackendStateRegistry({
    breakerChanged(backendId, state, hasOpened) {
      if (state === null) metrics.circuitBreakerState.remove({ backend: backendId });
      else metrics.circuitBreakerState.set({ backend: backendId }, BREAKER_STATE_VALUE[state]);
      if (hasOpened) metrics.circuitBreakerOpenTotal.inc({ backend: backendId });
    },
  });
  const controlPlaneStates = new BackendStateUpdates(backendStates, logger, primary?.backendStatesReceived);
  // A swap's backend states go live right after the swap listeners run, in the same tick: reapply just after that.
  store.onSwap(() => queueMicrotask(() => controlPlaneStates.reapply()));
  const { redisUrl, redisKeyPrefix, redisTimeoutMs, localMaxKeys } = config.rateLimits;
  const rateLimitStore =
    redisUrl === undefined
      ? undefined
      : new RedisRateLimitStore({ url: redisUrl, keyPrefix: redisKeyPrefix, timeoutMs: redisTimeoutMs, logger });
  const rateLimiters = new RateLimiterCompiler({
    store: rateLimitStore,
    localMaxKeys,
    tallies: {
      rejections: (route) => metrics.rateLimitRejectionsTotal.labels({ route }),
      storeErrors: (route) => metrics.rateLimitStoreErrorsTotal.labels({ route }),
    },
  });
  const compiler = new SnapshotCompiler(
    backendStates,
    { maxRoutes: config.proxy.maxRoutes, dataPlaneId: config.dataPlaneId },
    rateLimiters,
  );
  const cache = config.controlPlaneUrl ? new SnapshotCache(config.cache.dir, config.cache.keep) : undefined;
  const applier = new SnapshotApplier({ store, compiler, cache, metrics, logger, fanOut: primary?.applyOnWorkers });
  const telemetry = new TelemetryCollector();
  const accessLog = config.accessLog ? new AccessLog({ dataPlaneId: config.dataPlaneId }) : undefined;
  // A cluster primary serves no traffic: only processes with a proxy port make spans.
  const tracing = primary === undefined ? startTracing(config.tracing, { scope: 'hotswap-data-plane' }) : undefined;
  const tracer = tracing === undefined ? undefined : new RequestTracer(tracing.tracer);
  const handler = new ProxyHandler({
    store,
    metrics,
    telemetry,
    logger,
    accessLog,
    maxBodyBytes: config.proxy.maxBodyBytes,
    tracer,
  });
  const proxyServer: GatewayProxyServer = new GatewayProxyServer(handler, new UpgradeHandler(store, logger, tracer), {
    host: config.proxy.host,
    port: config.proxy.port,
    maxConnections: config.proxy.maxConcurrentConnections,
    maxHeaderBytes: config.proxy.maxHeaderBytes,
  });
  const stream = config.controlPlaneUrl
    ? new SnapshotStreamClient({
        url: config.controlPlaneUrl,
        auth: config.controlPlaneAuth,
        heartbeatMs: config.configHeartbeatMs,
        testFault: config.testFault,
        dataPlaneId: config.dataPlaneId,
        hostname: config.hostname,
        buildVersion: BUILD_VERSION,
        store,
        applier,
        backendStates: controlPlaneStates,
        logger,
      })
    : undefined;
  const telemetrySample = async (): Promise<TelemetrySample> => ({
    window: telemetry.drain(),
    state: {
      configVersion: store.current?.compiled.snapshot.version ?? 0,
      activeConnections: await proxyServer.countConnections(),
      inFlightRequests: handler.inFlight,
      backends: backendStates.views().map((view) => ({
        backendId: view.backendId,
        breakerState: view.breakerState,
        inFlight: view.activeConnections,
      })),
    },
  });
  // Without a control plane the windows are still drained (and dropped): the hot path is the same either way. A
  // cluster primary reports its workers' windows (it serves no traffic itself); a worker's are taken by its primary.
  const reporter = new TelemetryReporter({
    url: config.controlPlaneUrl,
    auth: config.controlPlaneAuth,
    dataPlaneId: config.dataPlaneId,
    intervalMs: config.telemetry.intervalMs,
    maxSeries: config.telemetry.maxSeries,
    logger,
    sample: primary
      ? async () =>
          mergeTelemetrySamples(await primary.telemetry(), {
            nowMs: Date.now(),
            configVersion: store.current?.compiled.snapshot.version ?? 0,
          })
      : telemetrySample,
  });
  let isShuttingDown = false;
  const statusServer = new StatusServer({
    host: config.status.host,
    port: config.status.port,
    dataPlaneId: config.dataPlaneId,
    store,
    applier,
    metrics,
    cluster: primary,
    backendStates: { registry: backendStates, fromControlPlane: controlPlaneStates },
    isShuttingDown: () => isShuttingDown,
    controlPlane: () => (stream ? { url: config.controlPlaneUrl as string, connected: stream.isConnected } : null),
  });

  let proxyAddress: AddressInfo;
  let statusAddress: AddressInfo;
  try {
    proxyAddress = primary ? await primary.listening() : await proxyServer.listen();
    statusAddress = options.isWorker ? proxyAddress : await statusServer.listen();
  } catch (error) {
    proxyServer.server.close();
    statusServer.server.close();
    await primary?.stop();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      isShuttingDown = true;
      logger.info(`data plane ${config.dataPlaneId} stopping`, { inFlight: handler.inFlight });
      // The workers' windows so far, while they still answer (what they count while draining is not reported).
      if (primary) await reporter.tick();
      const isDrained = primary ? await primary.stop() : await proxyServer.drain(config.drainSeconds * 1000);
      await reporter.stop();
      await rateLimitStore?.close();
      await stream?.stop();
      await applier.cacheWritten();
      if (!options.isWorker) await statusServer.close();
      backendStates.destroy();
      await accessLog?.flush();
      await tracing?.shutdown().catch((error: unknown) => logger.warn('exporting the last spans failed', { error }));
      logger.info(`data plane ${config.dataPlaneId} stopped`, { isDrained });
    })());

  try {
    // Before the first snapshot: its redis-policy routes should not fail open or closed only because Redis is late.
    if (rateLimitStore !== undefined && redisUrl !== undefined) {
      if (await rateLimitStore.connect()) logger.info(`rate limits shared through Redis ${maskRedisUrl(redisUrl)}`);
      else logger.warn(`Redis ${maskRedisUrl(redisUrl)} does not answer: redis-policy routes fail open or closed`);
    }
    stream?.start();
    if (!options.isWorker) reporter.start();
    if (cache) await loadNewestCachedSnapshot(cache, applier, store, logger);
    if (!store.current && fileSnapshot?.ok) {
      const outcome = await applier.apply(fileSnapshot.snapshot, 'file');
      if (outcome.status === 'rejected') {
        throw new DataPlaneStartError(`snapshot file ${config.configFile} cannot be applied`, outcome.reasons);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  if (!store.current) logger.warn('no configuration yet: not ready, answering 503 until a snapshot arrives');

  const proxyUrl = `http://${urlHost(config.proxy.host)}:${proxyAddress.port}`;
  const statusUrl = `http://${urlHost(config.status.host)}:${statusAddress.port}`;
  if (!options.isWorker) {
    logger.info(`data plane ${config.dataPlaneId} listening proxy=${proxyUrl} status=${statusUrl}`, {
      buildVersion: BUILD_VERSION,
      workers: primary ? config.workers : 1,
      config: describeDataPlaneConfig(config),
    });
  }

  return {
    id: config.dataPlaneId,
    proxyUrl,
    statusUrl,
    proxyPort: proxyAddress.port,
    statusPort: statusAddress.port,
    store,
    backendStates,
    applier,
    metrics,
    backendStateUpdates: controlPlaneStates,
    telemetrySample,
    apply: (snapshot, source = 'file') => applier.apply(snapshot, source),
    configStatus: () => statusServer.configStatus(),
    stop,
  };
}

/** Serves the newest cached snapshot that still validates and compiles, unless the stream was faster. */
async function loadNewestCachedSnapshot(
  cache: SnapshotCache,
  applier: SnapshotApplier,
  store: SnapshotStore,
  logger: Logger,
): Promise<void> {
  let files: string[];
  try {
    files = await cache.listNewestFirst();
  } catch (error) {
    logger.warn(`cannot read the snapshot cache ${cache.dir}`, { error });
    return;
  }
  for (const file of files) {
    if (store.current) return;
    let content: unknown;
    try {
      content = await cache.read(file);
    } catch (error) {
      logger.warn(`skipping unreadable cached snapshot ${file}`, { error });
      continue;
    }
    if (store.current) return;
    if ((await applier.apply(content, 'cache')).status === 'applied') return;
    logger.warn(`skipping cached snapshot ${file}: it no longer applies`);
  }
}

function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
