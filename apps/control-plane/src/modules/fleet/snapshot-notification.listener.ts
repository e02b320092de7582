import { Client } from 'pg';
import type { FleetLogger } from './discovery-session';

export interface SnapshotNotificationListenerOptions {
  readonly databaseUrl: string;
  readonly channel: string;
  readonly backoffMs: { readonly initial: number; readonly max: number };
  /** How often the connection is probed, so that a silently dead one is replaced. */
  readonly probeIntervalMs: number;
  /** A version was announced on the channel (undefined when the payload is not a version). */
  onNotification(version: number | undefined): void;
  /** LISTEN is in place (at start and after every reconnect): catch up on what may have been missed. */
  onListening(): void;
}

/** Marks this connection in `pg_stat_activity`. */
export const LISTENER_APPLICATION_NAME = 'hotswap-fleet-listener';

/**
 * A dedicated PostgreSQL connection (not a pool's: LISTEN belongs to one session) that LISTENs on the config
 * snapshot channel, and reconnects with jittered exponential backoff whenever it drops.
 */
export class SnapshotNotificationListener {
  private client: Client | undefined;
  private dropClient: ((error?: Error) => void) | undefined;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private isStopped = false;

  constructor(
    private readonly options: SnapshotNotificationListenerOptions,
    private readonly logger: FleetLogger,
  ) {}

  /** Connects once (a failure schedules a retry instead of throwing) and starts probing. */
  async start(): Promise<void> {
    this.isStopped = false;
    this.probeTimer = setInterval(() => void this.probe(), this.options.probeIntervalMs);
    this.probeTimer.unref();
    await this.connect();
  }

  get isListening(): boolean {
    return this.client !== undefined;
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.probeTimer);
    const client = this.client;
    this.client = undefined;
    this.dropClient = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.isStopped) return;
    const client = new Client({
      connectionString: this.options.databaseUrl,
      application_name: LISTENER_APPLICATION_NAME,
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
      query_timeout: Math.max(1_000, this.options.probeIntervalMs / 2),
    });
    let isDropped = false;
    const drop = (error?: Error) => {
      if (isDropped) return;
      isDropped = true;
      if (this.client === client) {
        this.client = undefined;
        this.dropClient = undefined;
      }
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (this.isStopped) return;
      this.logger.warn(`config change listener lost its connection${error ? `: ${error.message}` : ''}`);
      this.scheduleReconnect();
    };
    client.on('error', drop);
    client.on('end', () => drop());
    client.on('notification', (message) => {
      if (message.channel !== this.options.channel) return;
      const version = Number(message.payload);
      this.options.onNotification(Number.isSafeInteger(version) && version > 0 ? version : undefined);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.options.channel}"`);
    } catch (error) {
      drop(error as Error);
      return;
    }
    if (isDropped) return;
    if (this.isStopped) {
      isDropped = true;
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.dropClient = drop;
    if (this.attempt > 0) this.logger.log('config change listener reconnected');
    this.attempt = 0;
    this.options.onListening();
  }

  private scheduleReconnect(): void {
    if (this.isStopped || this.reconnectTimer) return;
    const { initial, max } = this.options.backoffMs;
    const delay = Math.min(max, initial * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  /** A connection can die without an error (a half-open socket): a query that fails replaces it. */
  private async probe(): Promise<void> {
    const client = this.client;
    const drop = this.dropClient;
    if (!client || !drop) return;
    try {
      await client.query('SELECT 1');
    } catch (error) {
      if (this.client === client) drop(error as Error);
    }
  }
}
