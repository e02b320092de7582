import type { DataPlaneStore } from './data-plane';
import { DiscoverySession, type DiscoveryStream, type FleetLogger } from './discovery-session';
import { DiscoveryUnavailableError } from './fleet.errors';
import type { FleetOptions } from './fleet.options';
import type { SnapshotFeed } from './snapshot-feed';
import type { StreamBroadcast } from './stream-broadcast';

/**
 * The discovery streams of this replica: opens a session per stream, keeps their registry rows fresh while they
 * are open, and closes them all on shutdown. Transport-free; `DiscoveryGrpcServer` adapts gRPC calls to it.
 */
export class DiscoveryService {
  private readonly sessions = new Set<DiscoverySession>();
  private readonly broadcasts: StreamBroadcast[] = [];
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: DataPlaneStore,
    private readonly feed: SnapshotFeed,
    private readonly instanceId: string,
    private readonly options: FleetOptions,
    private readonly logger: FleetLogger,
  ) {}

  /** Starts refreshing `last_seen_at` of the connected data planes every `heartbeatMs`. */
  start(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => void this.touchAll(), this.options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Adds messages every stream registered from now on carries after its first snapshot offer. */
  addBroadcast(broadcast: StreamBroadcast): void {
    this.broadcasts.push(broadcast);
  }

  /** A new stream: the session waits for its Hello. */
  open(stream: DiscoveryStream): DiscoverySession {
    const session = new DiscoverySession(stream, {
      store: this.store,
      feed: this.feed,
      broadcasts: [...this.broadcasts],
      instanceId: this.instanceId,
      options: this.options,
      logger: this.logger,
      onClose: (closed) => {
        this.sessions.delete(closed);
        if (closed.dataPlaneId) this.logger.log(`data plane ${closed.dataPlaneId} disconnected`);
      },
    });
    this.sessions.add(session);
    return session;
  }

  /** How many streams are open. */
  get streamCount(): number {
    return this.sessions.size;
  }

  /** Ends every stream with UNAVAILABLE (their data planes reconnect elsewhere) and records them disconnected. */
  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    const error = new DiscoveryUnavailableError('the control plane is shutting down');
    await Promise.all([...this.sessions].map((session) => session.abort(error)));
  }

  private async touchAll(): Promise<void> {
    const connectionIds = [...this.sessions].filter((s) => s.isRegistered).map((s) => s.connectionId);
    try {
      await this.store.touch(connectionIds);
    } catch (error) {
      this.logger.warn(`refreshing last_seen_at of ${connectionIds.length} data planes failed: ${String(error)}`);
    }
  }
}
