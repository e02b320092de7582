import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { parseSnapshotDelta, SNAPSHOT_SCHEMA_VERSION } from '@hotswap/config-snapshot';
import {
  decodeSnapshotPayload,
  DISCOVERY_FEATURES_METADATA_KEY,
  GRPC_CHANNEL_OPTIONS,
  HEARTBEAT_FEATURE,
  loadDiscoveryProto,
  SNAPSHOT_DELTA_FEATURE,
  type ConfigDiscoveryClient,
  type ControlPlaneMessage__Output,
  type BackendStates__Output,
  type DataPlaneMessage,
  type DecodedSnapshotPayload,
  type Snapshot__Output,
} from '@hotswap/proto';
import type { ControlPlaneAuth } from '../config/data-plane-config';
import type { Logger } from '../observability/logger';
import type { BackendStateUpdates } from './backend-state-updates';
import { controlPlaneCallMetadata, controlPlaneChannelCredentials } from './control-plane-channel';
import type { SnapshotApplier } from './snapshot-applier';
import { formatIssues } from './snapshot-compiler';
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
  /** The token and TLS settings of the stream. */
  auth: ControlPlaneAuth;
  /** How often a Heartbeat reports the version and hash this data plane runs. */
  heartbeatMs: number;
  /** Test-only fault (DATA_PLANE_TEST_FAULT). */
  testFault?: 'corrupt-applied-hash-once';
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
 * between snapshots (in the same order as the snapshots around them; they are not answered). Every `heartbeatMs` it
 * reports the version and hash it runs (a Heartbeat), so the control plane notices a divergence and re-sends. A stream
 * that ends is reopened with jittered backoff and resumes from the active version; serving never depends on it.
 */
export class SnapshotStreamClient {
  private readonly client: ConfigDiscoveryClient;
  private call: ConfigStream | undefined;
  private attempt = 0;
  private isChannelReady = false;
  private isChannelFailing = false;
  private isStopped = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  private heartbeat: NodeJS.Timeout | undefined;
  private isFaultPending: boolean;
  private wasRefused = false;
  /** The control plane of the current stream reads Heartbeats (an older one would end the stream on one). */
  private isHeartbeatUnderstood = false;

  constructor(private readonly options: StreamClientOptions) {
    const { ConfigDiscovery } = loadDiscoveryProto().hotswap.discovery.v1;
    this.isFaultPending = options.testFault === 'corrupt-applied-hash-once';
    this.client = new ConfigDiscovery(options.url, controlPlaneChannelCredentials(options.auth), {
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
    this.heartbeat = setInterval(() => this.sendHeartbeat(), this.options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Resolves once the snapshot being applied (if any) has been answered; then closes the stream and the channel. */
  async stop(): Promise<void> {
    if (this.isStopped) return;
    this.isStopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeat);
    await this.queue;
    this.call?.cancel();
    this.call = undefined;
    this.client.close();
  }

  private open(): void {
    if (this.isStopped) return;
    const call = this.client.StreamConfig(controlPlaneCallMetadata(this.options.auth));
    this.call = call;
    this.isHeartbeatUnderstood = false;
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
    call.on('metadata', (metadata: grpc.Metadata) => {
      if (call !== this.call) return;
      this.attempt = 0;
      this.wasRefused = false;
      const features = metadata.get(DISCOVERY_FEATURES_METADATA_KEY).join(',').split(',');
      this.isHeartbeatUnderstood = features.includes(HEARTBEAT_FEATURE);
    });
    call.on('error', () => {
      // Reported again by 'status', which handles every ending.
    });
    call.on('status', (status: grpc.StatusObject) => this.onStreamEnd(call, status));
    const active = this.activeIdentity();
    call.write({
      hello: {
        dataPlaneId: this.options.dataPlaneId,
        hostname: this.options.hostname,
        buildVersion: this.options.buildVersion,
        schemaVersion: SNAPSHOT_SCHEMA_VERSION,
        activeVersion: active.version,
        activeHash: active.hash,
        features: [SNAPSHOT_DELTA_FEATURE],
      },
    });
  }

  private onStreamEnd(call: ConfigStream, status: grpc.StatusObject): void {
    if (call !== this.call) return;
    this.call = undefined;
    if (this.isStopped) return;
    const delay = reconnectDelayMs(this.attempt++);
    if (status.code === grpc.status.UNAUTHENTICATED && !this.wasRefused) {
      // Once per refusal streak: the token is wrong or missing (its value is never logged).
      this.wasRefused = true;
      this.options.logger.warn(`control plane ${this.options.url} refused this data plane's credential`, {
        details: status.details,
        hasToken: this.options.auth.token !== undefined,
      });
    }
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
    const decoded = this.decode(message);
    if ('reasons' in decoded) {
      this.options.applier.recordRejection(announced, 'stream', decoded.reasons);
      this.send(call, { nack: { version, hash, nonce, reasons: decoded.reasons } });
      return;
    }
    const outcome = await this.options.applier.apply(decoded.input, 'stream', {
      startedAt: receivedAt,
      announced,
      isDelta: decoded.isDelta,
      isCacheWriteDeferred: true,
    });
    if (outcome.status === 'rejected') {
      this.send(call, { nack: { version, hash, nonce, reasons: outcome.reasons } });
      return;
    }
    const applied = this.activeIdentity();
    this.send(call, {
      ack: { version, hash: applied.version === version ? applied.hash : hash, nonce, applyMs: outcome.applyMs },
    });
    if (outcome.status === 'applied' && this.isFaultPending) this.corruptActiveHash();
  }

  /** The pushed snapshot, or its delta on the one running, as untrusted JSON for the applier; or why not. */
  private decode(message: Snapshot__Output): { input: unknown; isDelta: boolean } | { reasons: string[] } {
    if (message.schemaVersion > SNAPSHOT_SCHEMA_VERSION) {
      return {
        reasons: [
          `schemaVersion: schema ${message.schemaVersion} is newer than this data plane understands (${SNAPSHOT_SCHEMA_VERSION})`,
        ],
      };
    }
    let decoded: DecodedSnapshotPayload;
    try {
      decoded = decodeSnapshotPayload(message.payload, message.encoding);
    } catch (error) {
      return { reasons: [`payload: ${(error as Error).message}`] };
    }
    if (decoded.kind === 'full') return { input: decoded.snapshot, isDelta: false };
    const delta = parseSnapshotDelta(decoded.delta);
    return delta.ok ? { input: delta.value, isDelta: true } : { reasons: formatIssues(delta.issues) };
  }

  /** What runs now, as Hello and Heartbeat report it: the version and the hash of the content applied. */
  private activeIdentity(): { version: number; hash: string } {
    const active = this.options.store.current?.compiled.snapshot;
    return { version: active?.version ?? 0, hash: active?.hash ?? '' };
  }

  private sendHeartbeat(): void {
    const call = this.call;
    if (!call || !this.isHeartbeatUnderstood) return;
    const { version, hash } = this.activeIdentity();
    this.send(call, { heartbeat: { activeVersion: version, activeHash: hash } });
  }

  /** DATA_PLANE_TEST_FAULT=corrupt-applied-hash-once: the active snapshot now runs under a hash nobody sent. */
  private corruptActiveHash(): void {
    const active = this.options.store.current;
    if (!active) return;
    this.isFaultPending = false;
    const snapshot = active.compiled.snapshot;
    const hash = `corrupted-${snapshot.hash}`;
    this.options.store.swap({ ...active, compiled: { ...active.compiled, snapshot: { ...snapshot, hash } } });
    this.options.logger.warn(`test fault: snapshot version=${snapshot.version} now runs under hash ${hash}`);
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
        const isFailing = next === grpc.connectivityState.TRANSIENT_FAILURE;
        if (isFailing && !this.isChannelFailing) {
          // Once per failing streak: refused connections and failed TLS handshakes (a missing or untrusted client
          // certificate) look alike from here.
          this.options.logger.warn(
            `cannot connect to control plane ${this.options.url} (unreachable, or the TLS handshake failed); retrying`,
          );
        }
        if (isFailing || isReady) this.isChannelFailing = isFailing;
        this.watchChannel(next);
      });
    } catch {
      // The channel was shut down.
    }
  }
}
