import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { SNAPSHOT_SCHEMA_VERSION } from '@hotswap/config-snapshot';
import {
  decodeSnapshotPayload,
  GRPC_CHANNEL_OPTIONS,
  loadDiscoveryProto,
  type ConfigDiscoveryClient,
  type ControlPlaneMessage__Output,
  type BackendStates__Output,
  type DataPlaneMessage,
  type Snapshot__Output,
} from '@hotswap/proto';
import type { Logger } from '../observability/logger';
import type { BackendStateUpdates } from './backend-state-updates';
import type { SnapshotApplier } from './snapshot-applier';
import type { SnapshotStore } from './snapshot-store';

type ConfigStream = grpc.ClientDuplexStream<DataPlaneMessage, ControlPlaneMessage__Output>;

/** Reopen delays after a stream ends: jittered exponential, 250 ms doubling to 5 s. */
export const RECONNECT_BACKOFF = { initialMs: 250, maxMs: 5_000 } as const;

/** Delay before reopen number `attempt` (0-based): between half and all of the exponential step. */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const step = Math.min(RECONNECT_BACKOFF.maxMs, RECONNECT_BACKOFF.initialMs * 2 ** Math.min(attempt, 16));
  return Math.round(step / 2 + (random() * step) / 2);
}

export interface StreamClientOptions {
  url: string;
  dataPlaneId: string;
  hostname: string;
  buildVersion: string;
  store: SnapshotStore;
  applier: SnapshotApplier;
  /** Where the control plane's backend states (health, forced breakers) go. */
  backendStates: BackendStateUpdates;
  logger: Logger;
}

/**
 * The data plane's side of ConfigDiscovery.StreamConfig: says Hello (identity, schema version, active snapshot),
 * applies each pushed snapshot in order and answers each with an Ack or a Nack, and applies the backend states sent
 * between snapshots (in the same order as the snapshots around them; they are not answered). A stream that ends is reopened
 * with jittered backoff and resumes from the active version; serving never depends on it.
 */
export class SnapshotStreamClient {
  private readonly client: ConfigDiscoveryClient;
  private call: ConfigStream | undefined;
  private attempt = 0;
  private isChannelReady = false;
  private isStopped = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: StreamClientOptions) {
    const { ConfigDiscovery } = loadDiscoveryProto().hotswap.discovery.v1;
    this.client = new ConfigDiscovery(options.url, grpc.credentials.createInsecure(), {
      ...GRPC_CHANNEL_OPTIONS,
      // The channel's own reconnects follow the same 250 ms → 5 s curve (grpc-js defaults to 1 s → 120 s).
      'grpc.initial_reconnect_backoff_ms': RECONNECT_BACKOFF.initialMs,
      'grpc.max_reconnect_backoff_ms': RECONNECT_BACKOFF.maxMs,
    });
  }

  /** Whether the channel to the control plane is up. */
  get isConnected(): boolean {
    return this.isChannelReady;
  }

  start(): void {
    this.options.logger.info(`connecting to control plane ${this.options.url}`);
    this.watchChannel(grpc.connectivityState.IDLE);
    this.open();
  }

  /** Resolves once the snapshot being applied (if any) has been answered; then closes the stream and the channel. */
  async stop(): Promise<void> {
    if (this.isStopped) return;
    this.isStopped = true;
    clearTimeout(this.reconnectTimer);
    await this.queue;
    this.call?.cancel();
    this.call = undefined;
    this.client.close();
  }

  private open(): void {
    if (this.isStopped) return;
    // waitForReady belongs in the metadata options: in CallOptions grpc-js ignores it and calls fail fast.
    const call = this.client.StreamConfig(new grpc.Metadata({ waitForReady: true }));
    this.call = call;
    call.on('data', (message: ControlPlaneMessage__Output) => {
      this.attempt = 0;
      if (message.snapshot) {
        const snapshot = message.snapshot;
        const receivedAt = performance.now();
        this.queue = this.queue.then(() => this.handleSnapshot(call, snapshot, receivedAt));
      }
      if (message.backendStates) {
        const states = message.backendStates;
        this.queue = this.queue.then(() => this.handleBackendStates(states));
      }
    });
    call.on('metadata', () => {
      this.attempt = 0;
    });
    call.on('error', () => {
      // Reported again by 'status', which handles every ending.
    });
    call.on('status', (status: grpc.StatusObject) => this.onStreamEnd(call, status));
    const active = this.options.store.current?.compiled.snapshot;
    call.write({
      hello: {
        dataPlaneId: this.options.dataPlaneId,
        hostname: this.options.hostname,
        buildVersion: this.options.buildVersion,
        schemaVersion: SNAPSHOT_SCHEMA_VERSION,
        activeVersion: active?.version ?? 0,
        activeHash: active?.hash ?? '',
      },
    });
  }

  private onStreamEnd(call: ConfigStream, status: grpc.StatusObject): void {
    if (call !== this.call) return;
    this.call = undefined;
    if (this.isStopped) return;
    const delay = reconnectDelayMs(this.attempt++);
    this.options.logger.debug('config stream ended; reopening', {
      code: grpc.status[status.code],
      details: status.details,
      delayMs: delay,
    });
    this.reconnectTimer = setTimeout(() => this.open(), delay);
  }

  private async handleSnapshot(call: ConfigStream, message: Snapshot__Output, receivedAt: number): Promise<void> {
    const { version, hash, nonce } = message;
    const announced = { version, hash };
    let reasons: string[] | undefined;
    let decoded: unknown;
    if (message.schemaVersion > SNAPSHOT_SCHEMA_VERSION) {
      reasons = [
        `schemaVersion: schema ${message.schemaVersion} is newer than this data plane understands (${SNAPSHOT_SCHEMA_VERSION})`,
      ];
    } else {
      try {
        decoded = decodeSnapshotPayload(message.payload, message.encoding);
      } catch (error) {
        reasons = [`payload: ${(error as Error).message}`];
      }
    }
    if (reasons) {
      this.options.applier.recordRejection(announced, 'stream', reasons);
      this.send(call, { nack: { version, hash, nonce, reasons } });
      return;
    }
    const outcome = await this.options.applier.apply(decoded, 'stream', { startedAt: receivedAt, announced });
    if (outcome.status === 'rejected') {
      this.send(call, { nack: { version, hash, nonce, reasons: outcome.reasons } });
    } else {
      this.send(call, { ack: { version, hash, nonce, applyMs: outcome.applyMs } });
    }
  }

  private handleBackendStates(message: BackendStates__Output): void {
    try {
      const outcome = this.options.backendStates.apply(message);
      this.options.logger.debug('backend states received', {
        full: message.full,
        states: message.states.length,
        applied: outcome.applied,
        stale: outcome.stale,
      });
    } catch (error) {
      this.options.logger.error('could not apply backend states', { error });
    }
  }

  private send(call: ConfigStream, message: DataPlaneMessage): void {
    // A stream that broke meanwhile cannot carry the answer; the next Hello reports the active version instead.
    if (call !== this.call || call.writableEnded || call.destroyed) return;
    call.write(message);
  }

  private watchChannel(state: grpc.connectivityState): void {
    if (this.isStopped) return;
    const channel = this.client.getChannel();
    try {
      channel.watchConnectivityState(state, Infinity, () => {
        if (this.isStopped) return;
        const next = channel.getConnectivityState(false);
        const isReady = next === grpc.connectivityState.READY;
        if (isReady !== this.isChannelReady) {
          this.isChannelReady = isReady;
          if (isReady) this.options.logger.info(`connected to control plane ${this.options.url}`);
          else this.options.logger.warn(`disconnected from control plane ${this.options.url}`);
        }
        this.watchChannel(next);
      });
    } catch {
      // The channel was shut down.
    }
  }
}
