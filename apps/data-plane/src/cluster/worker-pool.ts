import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { snapshotDeltaBetween, type ConfigSnapshot, type SnapshotDelta } from '@hotswap/config-snapshot';
import type { BackendState__Output, BackendStates__Output } from '@hotswap/proto';
import { AggregatorRegistry } from 'prom-client';
import type { DataPlaneConfig } from '../config/data-plane-config';
import type { PrimaryRole, WorkerStatus } from '../data-plane';
import type { Logger } from '../observability/logger';
import type { SnapshotSource } from '../snapshot/compiled-snapshot';
import type { TelemetrySample } from '../telemetry/telemetry-sample';
import type { PrimaryMessage, SnapshotChange, WorkerMessage } from './cluster-messages';

/** A worker that dies within this long of its start is restarted after RESTART_DELAY_MS (no crash loop at full speed). */
const QUICK_DEATH_MS = 5_000;
const RESTART_DELAY_MS = 1_000;
/** Beyond the drain deadline, how long a worker may take to exit before it is killed. */
const STOP_GRACE_MS = 5_000;

interface WorkerEntry {
  readonly worker: Worker;
  readonly startedAt: number;
  listening: boolean;
  version: number | null;
  hash: string | null;
  /** Answers awaited from it, by request id; resolved with undefined when it exits. */
  readonly pending: Map<number, (reply: WorkerMessage | undefined) => void>;
}

/**
 * The primary's side of cluster mode (GATEWAY_WORKERS > 1): forks the workers, which share the proxy port
 * (node:cluster, round-robin on Linux), and plays the PrimaryRole for startDataPlane.
 *
 * Snapshots apply in two phases so that the pod is never split between versions: every worker compiles the
 * snapshot the primary validated and holds it (`prepare`); only when all of them could does each swap it in
 * (`commit`), and then the primary swaps, ACKs and caches. If any refuses, all drop it and the NACK carries the
 * reasons; every worker keeps serving the previous snapshot. A worker that exits is forked again and brought to
 * the active snapshot and backend states before it counts as serving; a worker that dies in the middle of a
 * round just drops out of it (its replacement is synced).
 */
export class WorkerPool implements PrimaryRole {
  private readonly entries = new Map<number, WorkerEntry>();
  private nextRequestId = 1;
  private active: { snapshot: ConfigSnapshot; source: SnapshotSource } | undefined;
  /** The newest backend state per backend, from the control plane: what a new worker starts from. */
  private readonly backendStates = new Map<string, BackendState__Output>();
  private isStopping = false;
  private firstListening: Promise<AddressInfo> | undefined;

  constructor(
    private readonly config: DataPlaneConfig,
    private readonly logger: Logger,
  ) {}

  listening(): Promise<AddressInfo> {
    return (this.firstListening ??= this.startWorkers());
  }

  private async startWorkers(): Promise<AddressInfo> {
    cluster.setupPrimary({ serialization: 'advanced' });
    cluster.on('exit', (worker, code, signal) => this.onExit(worker, code, signal));
    const ports = await Promise.all(Array.from({ length: this.config.workers }, () => this.fork()));
    return { address: this.config.proxy.host, family: 'IPv4', port: ports[0] as number };
  }

  /** Forks a worker; resolves with its proxy port once it listens (rejects if it cannot start). */
  private fork(): Promise<number> {
    const worker = cluster.fork();
    const entry: WorkerEntry = {
      worker,
      startedAt: Date.now(),
      listening: false,
      version: null,
      hash: null,
      pending: new Map(),
    };
    this.entries.set(worker.id, entry);
    return new Promise((resolve, reject) => {
      worker.on('message', (message: WorkerMessage) => {
        switch (message.type) {
          case 'listening':
            entry.listening = true;
            this.logger.info(`worker ${worker.id} (pid ${worker.process.pid}) listening`);
            this.sync(entry);
            resolve(message.port);
            return;
          case 'failed':
            reject(new Error(`worker ${worker.id} failed to start: ${message.error}`));
            return;
          case 'prepared':
          case 'applied':
          case 'metrics':
          case 'telemetry': {
            const answer = entry.pending.get(message.requestId);
            entry.pending.delete(message.requestId);
            answer?.(message);
          }
        }
      });
      worker.once('exit', (code) => reject(new Error(`worker ${worker.id} exited (${code}) before listening`)));
    });
  }

  private onExit(worker: Worker, code: number | null, signal: string | null): void {
    const entry = this.entries.get(worker.id);
    this.entries.delete(worker.id);
    if (entry) for (const answer of entry.pending.values()) answer(undefined);
    if (this.isStopping) return;
    this.logger.warn(`worker ${worker.id} (pid ${worker.process.pid}) exited (${signal ?? code}): starting another`);
    const delayMs = entry && Date.now() - entry.startedAt < QUICK_DEATH_MS ? RESTART_DELAY_MS : 0;
    setTimeout(() => {
      if (this.isStopping) return;
      this.fork().catch((error: unknown) => this.logger.error('a worker failed to start', { error }));
    }, delayMs).unref();
  }

  /** Brings a (re)started worker to the pod's backend states and active snapshot. */
  private sync(entry: WorkerEntry): void {
    if (this.backendStates.size > 0) {
      this.send(entry, { type: 'backendStates', message: { full: true, states: [...this.backendStates.values()] } });
    }
    const active = this.active;
    if (active === undefined) return;
    void this.request(entry, { type: 'sync', snapshot: active.snapshot, source: active.source }).then((reply) =>
      this.recordApplied(entry, reply),
    );
  }

  readonly applyOnWorkers = async (snapshot: ConfigSnapshot, source: SnapshotSource): Promise<string[]> => {
    const targets = [...this.entries.values()];
    const active = this.active?.snapshot;
    let delta: SnapshotDelta | undefined;
    // A worker running the pod's active snapshot gets only the changes (IPC of a whole snapshot costs its size).
    const changeFor = (entry: WorkerEntry): SnapshotChange => {
      if (active === undefined || entry.version !== active.version || entry.hash !== active.hash) {
        return { kind: 'full', snapshot };
      }
      delta ??= snapshotDeltaBetween(active, snapshot);
      return { kind: 'delta', delta };
    };
    const prepare = (entry: WorkerEntry, change: SnapshotChange) =>
      this.request(entry, { type: 'prepare', change, source });
    const prepared = await Promise.all(
      targets.map(async (entry) => {
        const change = changeFor(entry);
        const reply = await prepare(entry, change);
        const isBaseRefused =
          change.kind === 'delta' &&
          reply?.type === 'prepared' &&
          reply.reasons.length > 0 &&
          reply.reasons.every((reason) => reason.startsWith('delta.'));
        return isBaseRefused ? prepare(entry, { kind: 'full', snapshot }) : reply;
      }),
    );
    const reasons = new Set<string>();
    for (const reply of prepared)
      if (reply?.type === 'prepared') for (const reason of reply.reasons) reasons.add(reason);
    if (reasons.size > 0) {
      for (const entry of targets) this.send(entry, { type: 'abort' });
      return [...reasons];
    }
    this.active = { snapshot, source };
    const applied = await Promise.all(targets.map((entry) => this.request(entry, { type: 'commit' })));
    targets.forEach((entry, index) => this.recordApplied(entry, applied[index]));
    // A worker forked during the round (replacing one that died) was synced with the previous snapshot.
    for (const entry of this.entries.values()) if (!targets.includes(entry) && entry.listening) this.sync(entry);
    return [];
  };

  readonly backendStatesReceived = (message: BackendStates__Output): void => {
    if (message.full) {
      const listed = new Set(message.states.map((state) => state.backendId));
      for (const backendId of this.backendStates.keys())
        if (!listed.has(backendId)) this.backendStates.delete(backendId);
    }
    for (const state of message.states) {
      const held = this.backendStates.get(state.backendId);
      if (held === undefined || held.sequence < state.sequence) this.backendStates.set(state.backendId, state);
    }
    for (const entry of this.entries.values()) this.send(entry, { type: 'backendStates', message });
  };

  /** Every worker's metrics, merged (counters and histograms add up; see the `aggregator` of each gauge). */
  readonly metrics = async (): Promise<{ contentType: string; text: string }> => {
    const replies = await Promise.all(
      [...this.entries.values()].map((entry) => this.request(entry, { type: 'metrics' })),
    );
    const registry = AggregatorRegistry.aggregate(
      replies.flatMap((reply) => (reply?.type === 'metrics' ? [reply.metrics] : [])),
    );
    return { contentType: registry.contentType, text: await registry.metrics() };
  };

  /** Every worker's telemetry window, ended now (a worker that does not answer is left out). */
  readonly telemetry = async (): Promise<TelemetrySample[]> => {
    const replies = await Promise.all(
      [...this.entries.values()].map((entry) => this.request(entry, { type: 'telemetry' })),
    );
    return replies.flatMap((reply) => (reply?.type === 'telemetry' ? [reply.sample] : []));
  };

  readonly workers = (): WorkerStatus[] =>
    [...this.entries.values()]
      .map((entry) => ({
        workerId: entry.worker.id,
        pid: entry.worker.process.pid ?? 0,
        listening: entry.listening,
        version: entry.version,
        hash: entry.hash,
      }))
      .sort((a, b) => a.workerId - b.workerId);

  readonly stop = async (): Promise<boolean> => {
    this.isStopping = true;
    const exits = [...this.entries.values()].map(
      (entry) =>
        new Promise<boolean>((resolve) => {
          const worker = entry.worker;
          if (worker.isDead()) return resolve(false);
          const timer = setTimeout(
            () => worker.process.kill('SIGKILL'),
            this.config.drainSeconds * 1000 + STOP_GRACE_MS,
          );
          worker.once('exit', (code) => {
            clearTimeout(timer);
            resolve(code === 0);
          });
          this.send(entry, { type: 'stop' });
        }),
    );
    const results = await Promise.all(exits);
    return results.every(Boolean);
  };

  private recordApplied(entry: WorkerEntry, reply: WorkerMessage | undefined): void {
    if (reply?.type !== 'applied') return;
    entry.version = reply.version;
    entry.hash = reply.hash;
    if (reply.reasons.length > 0) {
      this.logger.warn(`worker ${entry.worker.id} refused the active snapshot`, { reasons: reply.reasons });
    }
  }

  private request(
    entry: WorkerEntry,
    message: DistributiveOmit<Extract<PrimaryMessage, { requestId: number }>, 'requestId'>,
  ): Promise<WorkerMessage | undefined> {
    const requestId = this.nextRequestId++;
    return new Promise((resolve) => {
      if (!entry.worker.isConnected()) return resolve(undefined);
      entry.pending.set(requestId, resolve);
      this.send(entry, { ...message, requestId });
    });
  }

  private send(entry: WorkerEntry, message: PrimaryMessage): void {
    if (!entry.worker.isConnected()) return;
    entry.worker.send(message, (error: Error | null) => {
      if (error) this.logger.debug(`IPC to worker ${entry.worker.id} failed`, { error: error.message });
    });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
