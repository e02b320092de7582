import { randomUUID } from 'node:crypto';
import {
  SNAPSHOT_DELTA_ENCODING,
  SNAPSHOT_DELTA_FEATURE,
  SNAPSHOT_ENCODING,
  type Ack__Output,
  type ControlPlaneMessage,
  type DataPlaneMessage__Output,
  type Heartbeat__Output,
  type Hello__Output,
  type Nack__Output,
} from '@hotswap/proto';
import type { GatewayError } from '../../common/errors/gateway-error';
import type { DataPlaneHello, DataPlaneStore } from './data-plane';
import { DiscoveryProtocolError, DiscoveryUnavailableError } from './fleet.errors';
import type { FleetOptions } from './fleet.options';
import type { PreparedSnapshot, SnapshotFeed } from './snapshot-feed';
import type { StreamBroadcast } from './stream-broadcast';

/** The transport side of one discovery stream (gRPC in production). */
export interface DiscoveryStream {
  /** Sends one message to the data plane. */
  send(message: ControlPlaneMessage): void;
  /** Ends the stream with an error; the transport maps its code to a status. */
  fail(error: GatewayError): void;
}

export interface FleetLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface DiscoverySessionContext {
  readonly store: DataPlaneStore;
  readonly feed: SnapshotFeed;
  /** Other messages every stream carries, after its first snapshot offer (backend states…). */
  readonly broadcasts?: readonly StreamBroadcast[];
  readonly instanceId: string;
  readonly options: Pick<FleetOptions, 'ackTimeoutMs' | 'helloTimeoutMs'>;
  readonly logger: FleetLogger;
  onClose(session: DiscoverySession): void;
}

const MAX_DATA_PLANE_ID_LENGTH = 255;

/** Re-syncs of a data plane that keeps reporting the same wrong hash: 30 s after the first, doubling up to 10 min. */
export const RESYNC_BACKOFF = { initialMs: 30_000, maxMs: 600_000 } as const;

/**
 * One data plane's stream, without the transport: waits for Hello, registers the data plane, pushes the newest
 * snapshot (unless the data plane runs it or cannot understand its schema), records each Ack and Nack.
 *
 * Broadcasts (backend states…) follow the first snapshot offer: their opening message, then every change.
 *
 * Deltas: to a data plane whose Hello lists SNAPSHOT_DELTA_FEATURE, a snapshot goes as its changes from the one the
 * data plane runs (its Hello, then its Acks) when the feed still holds that one; a Nack of a delta's base is answered
 * with the same version in full. Re-syncs after a divergence go in full.
 *
 * Push rules: one snapshot is in flight at a time, until the data plane answers it (or `ackTimeoutMs` passes);
 * changes that arrive meanwhile collapse into the newest one, so intermediate versions are skipped; a stream
 * never gets a version lower than one it was already offered.
 *
 * Divergence: every Ack and Heartbeat reports the hash of what the data plane runs. When that differs from the hash
 * of the control plane's snapshot of the same version, the session records the divergence (the fleet view shows it)
 * and sends the newest snapshot again, in full, unless a push is in flight. The next Ack of the right hash ends it. A
 * data plane that keeps reporting the same wrong hash is re-synced with backoff (RESYNC_BACKOFF), not on every
 * heartbeat.
 */
export class DiscoverySession {
  readonly connectionId = randomUUID();
  private hello: DataPlaneHello | undefined;
  /** What the data plane runs, as far as this stream knows (its Hello, then its Acks). */
  private active: { version: number; hash: string | null } | null = null;
  private highestOffered = 0;
  /** The data plane's Hello listed SNAPSHOT_DELTA_FEATURE. */
  private isDeltaUnderstood = false;
  /** The last snapshot pushed on this stream: what an Ack or Heartbeat of its version must match. */
  private lastPushed: { version: number; hash: string } | undefined;
  /** The last re-sync after a divergence: for which reported version and hash, how many in a row, when. */
  private resync: { version: number; hash: string; count: number; at: number } | undefined;
  private inFlight:
    { version: number; nonce: string; timer: NodeJS.Timeout; snapshot: PreparedSnapshot; isDelta: boolean } | undefined;
  private pending: PreparedSnapshot | undefined;
  private readonly unsubscribers: Array<() => void> = [];
  private helloTimer: NodeJS.Timeout | undefined;
  private isClosed = false;
  /** Registry writes of this stream, in order: Hello before Ack before disconnect. */
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly stream: DiscoveryStream,
    private readonly context: DiscoverySessionContext,
  ) {
    const { helloTimeoutMs } = context.options;
    this.helloTimer = setTimeout(
      () => void this.abort(new DiscoveryProtocolError(`no Hello received within ${helloTimeoutMs} ms`)),
      helloTimeoutMs,
    );
    this.helloTimer.unref();
  }

  /** The data plane's id once it said Hello. */
  get dataPlaneId(): string | undefined {
    return this.hello?.dataPlaneId;
  }

  get isRegistered(): boolean {
    return this.hello !== undefined && !this.isClosed;
  }

  receive(message: DataPlaneMessage__Output): void {
    if (this.isClosed) return;
    if (!this.hello) {
      this.onFirstMessage(message);
      return;
    }
    switch (message.message) {
      case 'hello':
        void this.abort(new DiscoveryProtocolError('Hello may be sent only once per stream'));
        return;
      case 'ack':
        if (message.ack) this.onAck(message.ack);
        return;
      case 'nack':
        if (message.nack) this.onNack(message.nack);
        return;
      case 'heartbeat':
        if (message.heartbeat) this.onHeartbeat(message.heartbeat);
        return;
      case undefined:
        void this.abort(new DiscoveryProtocolError('empty message: expected Ack, Nack or Heartbeat'));
        return;
    }
  }

  /** Ends the stream with an error (protocol violation, shutdown) and closes the session. */
  abort(error: GatewayError): Promise<void> {
    if (!this.isClosed) this.stream.fail(error);
    return this.close();
  }

  /** The stream ended or broke: marks the data plane disconnected. Resolves once its registry writes are done. */
  close(): Promise<void> {
    if (this.isClosed) return this.writes;
    this.isClosed = true;
    clearTimeout(this.helloTimer);
    if (this.inFlight) clearTimeout(this.inFlight.timer);
    this.inFlight = undefined;
    this.pending = undefined;
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    const hello = this.hello;
    if (hello) {
      this.enqueue('mark disconnected', () =>
        this.context.store.markDisconnected(hello.dataPlaneId, this.connectionId),
      );
    }
    this.context.onClose(this);
    return this.writes;
  }

  private onFirstMessage(message: DataPlaneMessage__Output): void {
    if (message.message !== 'hello' || !message.hello) {
      void this.abort(new DiscoveryProtocolError('the first message of a stream must be Hello'));
      return;
    }
    const hello = toHello(message.hello);
    if (typeof hello === 'string') {
      void this.abort(new DiscoveryProtocolError(hello));
      return;
    }
    clearTimeout(this.helloTimer);
    this.hello = hello;
    this.isDeltaUnderstood = message.hello.features.includes(SNAPSHOT_DELTA_FEATURE);
    this.active = hello.activeVersion === null ? null : { version: hello.activeVersion, hash: hello.activeHash };
    const stream = { controlPlaneInstance: this.context.instanceId, connectionId: this.connectionId };
    this.writes = this.writes.then(async () => {
      try {
        await this.context.store.register(hello, stream);
      } catch (error) {
        this.context.logger.warn(`registering data plane ${hello.dataPlaneId} failed: ${(error as Error).message}`);
        void this.abort(new DiscoveryUnavailableError('the data plane could not be registered', { cause: error }));
      }
    });
    this.context.logger.log(
      `data plane ${hello.dataPlaneId} connected (build ${hello.buildVersion || '?'}, schema ${hello.schemaVersion}, ` +
        `running ${hello.activeVersion ?? 'nothing'})`,
    );
    this.unsubscribers.push(this.context.feed.subscribe((snapshot) => this.offer(snapshot)));
    const newest = this.context.feed.current();
    if (newest) this.offer(newest);
    if (hello.activeVersion !== null && hello.activeHash !== null) {
      this.checkReported(hello.activeVersion, hello.activeHash);
    }
    for (const broadcast of this.context.broadcasts ?? []) {
      const opening = broadcast.opening();
      if (opening) this.stream.send(opening);
      this.unsubscribers.push(
        broadcast.subscribe((message) => {
          if (!this.isClosed) this.stream.send(message);
        }),
      );
    }
  }

  private offer(snapshot: PreparedSnapshot): void {
    const hello = this.hello;
    if (this.isClosed || !hello || snapshot.version <= this.highestOffered) return;
    if (this.inFlight) {
      if (!this.pending || snapshot.version > this.pending.version) this.pending = snapshot;
      return;
    }
    this.highestOffered = snapshot.version;
    const active = this.active;
    if (
      active &&
      (snapshot.version < active.version || (snapshot.version === active.version && snapshot.hash === active.hash))
    ) {
      return;
    }
    if (hello.schemaVersion < snapshot.schemaVersion) {
      const reason =
        `snapshot ${snapshot.version} needs schema version ${snapshot.schemaVersion}; ` +
        `this data plane understands up to ${hello.schemaVersion}`;
      this.context.logger.warn(`not pushing to data plane ${hello.dataPlaneId}: ${reason}`);
      this.enqueue('record a withheld snapshot', () =>
        this.context.store.recordWithheld(hello.dataPlaneId, { version: snapshot.version, reason }),
      );
      return;
    }
    this.push(snapshot);
  }

  /**
   * Sends a snapshot, as a delta from what the data plane runs when it can take one (unless `isFull`), and waits for
   * its answer (or `ackTimeoutMs`) before pushing another.
   */
  private push(snapshot: PreparedSnapshot, isFull = false): void {
    const nonce = randomUUID();
    const timer = setTimeout(() => this.settle(nonce), this.context.options.ackTimeoutMs);
    timer.unref();
    const active = this.active;
    const delta =
      !isFull && this.isDeltaUnderstood && active?.hash
        ? snapshot.deltaPayloadFrom({ version: active.version, hash: active.hash })
        : undefined;
    this.inFlight = { version: snapshot.version, nonce, timer, snapshot, isDelta: delta !== undefined };
    this.lastPushed = { version: snapshot.version, hash: snapshot.hash };
    this.stream.send({
      snapshot: {
        version: snapshot.version,
        hash: snapshot.hash,
        nonce,
        schemaVersion: snapshot.schemaVersion,
        encoding: delta ? SNAPSHOT_DELTA_ENCODING : SNAPSHOT_ENCODING,
        payload: delta ?? snapshot.fullPayload(),
      },
    });
  }

  private onAck(ack: Ack__Output): void {
    const hello = this.hello as DataPlaneHello;
    this.active = { version: ack.version, hash: ack.hash };
    this.enqueue('record an Ack', () =>
      this.context.store.recordAck(hello.dataPlaneId, { version: ack.version, hash: ack.hash, applyMs: ack.applyMs }),
    );
    this.answered(ack.version, ack.nonce);
    this.checkReported(ack.version, ack.hash);
  }

  private onHeartbeat(heartbeat: Heartbeat__Output): void {
    if (heartbeat.activeVersion > 0) this.checkReported(heartbeat.activeVersion, heartbeat.activeHash);
  }

  /**
   * Compares what the data plane says it runs with the control plane's snapshot of that version (the newest, or
   * the last one pushed here); on a mismatch records the divergence and re-sends the newest snapshot.
   */
  private checkReported(version: number, hash: string): void {
    const hello = this.hello as DataPlaneHello;
    const newest = this.context.feed.current();
    const expected =
      newest?.version === version ? newest.hash : this.lastPushed?.version === version ? this.lastPushed.hash : null;
    if (expected === null) return;
    if (expected === hash) {
      this.resync = undefined;
      return;
    }
    this.active = { version, hash };
    this.enqueue('record a divergence', () =>
      this.context.store.recordDivergence(hello.dataPlaneId, { version, expectedHash: expected, reportedHash: hash }),
    );
    const last = this.resync?.version === version && this.resync.hash === hash ? this.resync : undefined;
    const now = Date.now();
    if (!newest || this.inFlight || (last && now - last.at < resyncDelayMs(last.count))) return;
    this.context.logger.warn(
      `data plane ${hello.dataPlaneId} diverged: it runs version ${version} with hash ${hash}, ` +
        `the control plane's is ${expected}; re-sending the newest snapshot` +
        (last ? ` (re-sync ${last.count + 1} in a row)` : ''),
    );
    this.resync = { version, hash, count: (last?.count ?? 0) + 1, at: now };
    this.push(newest, true);
  }

  private onNack(nack: Nack__Output): void {
    const hello = this.hello as DataPlaneHello;
    const inFlight = this.inFlight;
    if (
      inFlight?.isDelta === true &&
      nack.nonce === inFlight.nonce &&
      nack.reasons.length > 0 &&
      nack.reasons.every((reason) => reason.startsWith('delta.'))
    ) {
      // The data plane could not rebuild the snapshot from the delta (it runs something else): not a refusal of the
      // configuration. The same version goes again, in full.
      this.context.logger.log(
        `data plane ${hello.dataPlaneId} could not apply snapshot ${nack.version} as a delta (${nack.reasons.join('; ')}); sending it in full`,
      );
      clearTimeout(inFlight.timer);
      this.inFlight = undefined;
      this.push(inFlight.snapshot, true);
      return;
    }
    this.context.logger.warn(
      `data plane ${hello.dataPlaneId} rejected snapshot ${nack.version}: ${nack.reasons.join('; ') || 'no reason given'}`,
    );
    this.enqueue('record a Nack', () =>
      this.context.store.recordNack(hello.dataPlaneId, { version: nack.version, reasons: nack.reasons }),
    );
    this.answered(nack.version, nack.nonce);
  }

  /** An Ack or Nack arrived: if it answers the snapshot in flight, push what waited behind it. */
  private answered(version: number, nonce: string): void {
    if (this.inFlight && (nonce === this.inFlight.nonce || version >= this.inFlight.version)) {
      this.settle(this.inFlight.nonce);
    }
  }

  private settle(nonce: string): void {
    if (this.inFlight?.nonce !== nonce) return;
    clearTimeout(this.inFlight.timer);
    this.inFlight = undefined;
    const next = this.pending;
    this.pending = undefined;
    if (next) this.offer(next);
  }

  private enqueue(what: string, write: () => Promise<void>): void {
    this.writes = this.writes.then(write).catch((error: unknown) => {
      this.context.logger.warn(
        `data plane ${this.hello?.dataPlaneId ?? '?'}: could not ${what}: ${(error as Error).message}`,
      );
    });
  }
}

/** How long after re-sync number `count` (1-based) of the same wrong hash the next one may go. */
export function resyncDelayMs(count: number): number {
  return Math.min(RESYNC_BACKOFF.maxMs, RESYNC_BACKOFF.initialMs * 2 ** Math.min(count - 1, 16));
}

/** The Hello as the registry keeps it, or why it is not acceptable. */
function toHello(hello: Hello__Output): DataPlaneHello | string {
  const dataPlaneId = hello.dataPlaneId.trim();
  if (!dataPlaneId) return 'Hello.dataPlaneId is required';
  if (dataPlaneId.length > MAX_DATA_PLANE_ID_LENGTH) {
    return `Hello.dataPlaneId must be at most ${MAX_DATA_PLANE_ID_LENGTH} characters`;
  }
  return {
    dataPlaneId,
    hostname: hello.hostname,
    buildVersion: hello.buildVersion,
    schemaVersion: hello.schemaVersion,
    activeVersion: hello.activeVersion > 0 ? hello.activeVersion : null,
    activeHash: hello.activeVersion > 0 && hello.activeHash ? hello.activeHash : null,
  };
}
