import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { PrimaryRole, WorkerStatus } from '../data-plane';
import type { GatewayMetrics } from '../observability/gateway-metrics';
import type { BackendState, BackendStateRegistry, BackendStateView } from '../proxy/backend-states';
import type { BackendStateUpdates, ControlPlaneBackendState } from '../snapshot/backend-state-updates';
import type { SnapshotApplier } from '../snapshot/snapshot-applier';
import type { SnapshotStore } from '../snapshot/snapshot-store';

export interface StatusServerOptions {
  host: string;
  port: number;
  dataPlaneId: string;
  store: SnapshotStore;
  applier: SnapshotApplier;
  metrics: GatewayMetrics;
  /** Cluster mode (on the primary): metrics and applied versions come from the workers. */
  cluster?: Pick<PrimaryRole, 'metrics' | 'workers'> | undefined;
  /** The live backend states, and the states the control plane sent. */
  backendStates: { registry: BackendStateRegistry; fromControlPlane: BackendStateUpdates };
  /** Whether the data plane is shutting down (then it is not ready). */
  isShuttingDown(): boolean;
  controlPlane(): { url: string; connected: boolean } | null;
}

/** Backends per block of `/config`'s backendStates kept as JSON. */
const STATUS_BLOCK_SIZE = 1000;

/** What `GET /config` answers. */
export interface ConfigStatus {
  dataPlaneId: string;
  ready: boolean;
  version: number | null;
  hash: string | null;
  source: 'stream' | 'cache' | 'file' | null;
  appliedAt: string | null;
  applyMs: number | null;
  routes: number;
  backends: number;
  lastRejection: { version: number; hash: string; source: string; reasons: string[]; rejectedAt: string } | null;
  controlPlane: { url: string; connected: boolean } | null;
  /** Every backend the active snapshot routes to, as requests see it now, with the control plane's last word on it. */
  backendStates: BackendStatusEntry[];
  /** Cluster mode: each worker process and the snapshot it applied (absent in single-process mode). */
  workers?: WorkerStatus[];
}

/** One backend in `GET /config`. */
export interface BackendStatusEntry extends BackendStateView {
  /** The state the control plane last sent (health checks, drain, forced breaker); null when none arrived. */
  controlPlaneState: {
    healthStatus: string;
    breakerOverride: 'open' | 'closed' | null;
    sequence: number;
    updatedAt: string;
  } | null;
}

/** The status port (Express 5): liveness, readiness, the active config, Prometheus metrics. */
export class StatusServer {
  readonly server: Server;
  /** Each backend state's last `/config` entry as JSON, with what it was made from. */
  private readonly entryTexts = new WeakMap<
    BackendState,
    { view: BackendStateView; sent: ControlPlaneBackendState | undefined; json: string }
  >();
  /** The last `backendStates` entries as JSON blocks, and the states they were made from. */
  private backendStatesText: { states: readonly BackendState[]; blocks: readonly Buffer[] } | undefined;

  constructor(private readonly options: StatusServerOptions) {
    const app = express();
    app.disable('x-powered-by');
    app.get('/health/live', (_req, res) => {
      res.json({ status: 'live' });
    });
    app.get('/health/ready', (_req, res) => {
      const ready = this.isReady();
      res.status(ready ? 200 : 503).json({
        status: ready ? 'ready' : 'not ready',
        reason: ready ? undefined : options.isShuttingDown() ? 'shutting down' : 'no configuration yet',
      });
    });
    app.get('/config', (_req, res) => {
      // Written as is (no ETag: Express would hash megabytes at 100,000 backends on every poll).
      const parts = this.configStatusParts();
      res.type('json');
      res.setHeader(
        'Content-Length',
        parts.reduce((length, part) => length + part.length, 0),
      );
      for (const part of parts) res.write(part);
      res.end();
    });
    app.get('/metrics', async (_req, res) => {
      if (options.cluster) {
        const merged = await options.cluster.metrics();
        res.type(merged.contentType).send(merged.text);
        return;
      }
      res.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
    });
    this.server = createServer(app);
  }

  /** A snapshot is active (in cluster mode: and at least one worker serves it) and no shutdown began. */
  isReady(): boolean {
    const cluster = this.options.cluster;
    const isServing =
      cluster === undefined || cluster.workers().some((worker) => worker.listening && worker.version !== null);
    return this.options.store.current !== undefined && isServing && !this.options.isShuttingDown();
  }

  configStatus(): ConfigStatus {
    const { registry, fromControlPlane } = this.options.backendStates;
    return {
      ...this.statusHead(),
      backendStates: registry
        .statesInIdOrder()
        .map((state) => backendStatusEntry(state.view(), fromControlPlane.get(state.backendId))),
      ...this.workers(),
    };
  }

  /**
   * `configStatus()` as JSON, in parts. A backend's entry is serialised again only when what it shows changed, and
   * a block of entries only when one of them did or the backends did: a poll of /config at 100,000 backends would
   * otherwise serialise 100,000 objects.
   */
  private configStatusParts(): Buffer[] {
    const workers = this.workers();
    const tail = workers.workers === undefined ? ']}' : `],"workers":${JSON.stringify(workers.workers)}}`;
    const head = `${JSON.stringify(this.statusHead()).slice(0, -1)},"backendStates":[`;
    return [Buffer.from(head), ...this.backendStatesBlocks(), Buffer.from(tail)];
  }

  /** The entries of `backendStates` as JSON, in blocks of STATUS_BLOCK_SIZE backends (comma-separated). */
  private backendStatesBlocks(): readonly Buffer[] {
    const { registry, fromControlPlane } = this.options.backendStates;
    const states = registry.statesInIdOrder();
    const last = this.backendStatesText?.states === states ? this.backendStatesText.blocks : undefined;
    const blocks: Buffer[] = [];
    for (let start = 0; start < states.length; start += STATUS_BLOCK_SIZE) {
      const entries: string[] = [];
      let isChanged = last === undefined;
      for (const state of states.slice(start, start + STATUS_BLOCK_SIZE)) {
        const sent = fromControlPlane.get(state.backendId);
        const known = this.entryTexts.get(state);
        if (known !== undefined && known.sent === sent && state.isViewUnchanged(known.view)) {
          entries.push(known.json);
          continue;
        }
        const view = state.view();
        const json = JSON.stringify(backendStatusEntry(view, sent));
        this.entryTexts.set(state, { view, sent, json });
        entries.push(json);
        isChanged = true;
      }
      const kept = last?.[blocks.length];
      blocks.push(
        !isChanged && kept !== undefined ? kept : Buffer.from(`${start === 0 ? '' : ','}${entries.join(',')}`),
      );
    }
    this.backendStatesText = { states, blocks };
    return blocks;
  }

  private statusHead(): Omit<ConfigStatus, 'backendStates' | 'workers'> {
    const active = this.options.store.current;
    const snapshot = active?.compiled.snapshot;
    const rejection = this.options.applier.lastRejection;
    return {
      dataPlaneId: this.options.dataPlaneId,
      ready: this.isReady(),
      version: snapshot?.version ?? null,
      hash: snapshot?.hash ?? null,
      source: active?.source ?? null,
      appliedAt: active?.appliedAt.toISOString() ?? null,
      applyMs: active ? Math.round(active.applyMs * 1000) / 1000 : null,
      routes: snapshot?.routes.length ?? 0,
      backends: snapshot?.backends.length ?? 0,
      lastRejection: rejection
        ? {
            version: rejection.version,
            hash: rejection.hash,
            source: rejection.source,
            reasons: [...rejection.reasons],
            rejectedAt: rejection.rejectedAt.toISOString(),
          }
        : null,
      controlPlane: this.options.controlPlane(),
    };
  }

  private workers(): Pick<ConfigStatus, 'workers'> {
    return this.options.cluster ? { workers: this.options.cluster.workers() } : {};
  }

  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function backendStatusEntry(view: BackendStateView, sent: ControlPlaneBackendState | undefined): BackendStatusEntry {
  return {
    ...view,
    controlPlaneState: sent
      ? {
          healthStatus: sent.healthStatus,
          breakerOverride: sent.breakerOverride,
          sequence: sent.sequence,
          updatedAt: sent.updatedAt.toISOString(),
        }
      : null,
  };
}
