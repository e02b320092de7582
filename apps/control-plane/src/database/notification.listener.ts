import { Client } from 'pg';

export interface NotificationListenerOptions {
  readonly databaseUrl: string;
  readonly backoffMs: { readonly initial: number; readonly max: number };
  /** How often the connection is probed, so that a silently dead one is replaced. */
  readonly probeIntervalMs: number;
}

/** One channel's subscriber. */
export interface NotificationSubscriber {
  /** A notification arrived on the channel, with its payload ('' when none). */
  onNotification(payload: string): void;
  /** LISTEN is in place (at start and after every reconnect): catch up on what may have been missed. */
  onListening(): void;
}

export interface NotificationListenerLogger {
  log(message: string): void;
  warn(message: string): void;
}

/** Marks this connection in `pg_stat_activity`. */
export const LISTENER_APPLICATION_NAME = 'hotswap-fleet-listener';

/**
 * One dedicated PostgreSQL connection per replica (not a pool's: LISTEN belongs to one session) that LISTENs on
 * every subscribed channel, and reconnects with jittered exponential backoff whenever it drops. Channels may be
 * subscribed before or after `start`.
 */
export class NotificationListener {
  private readonly subscribers = new Map<string, Set<NotificationSubscriber>>();
  private client: Client | undefined;
  private dropClient: ((error?: Error) => void) | undefined;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private isStarted = false;
  private isStopped = false;

  constructor(
    private readonly options: NotificationListenerOptions,
    private readonly logger: NotificationListenerLogger,
  ) {}

  /** Adds a subscriber of `channel`; returns the function that removes it (the channel stays LISTENed). */
  subscribe(channel: string, subscriber: NotificationSubscriber): () => void {
    let set = this.subscribers.get(channel);
    const isNewChannel = set === undefined;
    set ??= new Set();
    this.subscribers.set(channel, set);
    set.add(subscriber);
    const client = this.client;
    if (client) {
      if (isNewChannel) {
        client.query(`LISTEN "${channel}"`).then(
          () => subscriber.onListening(),
          (error: Error) => this.dropClient?.(error),
        );
      } else {
        subscriber.onListening();
      }
    }
    return () => set.delete(subscriber);
  }

  /** Connects once (a failure schedules a retry instead of throwing) and starts probing. Idempotent. */
  async start(): Promise<void> {
    if (this.isStarted) return;
    this.isStarted = true;
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
    this.isStarted = false;
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
      this.logger.warn(`change listener lost its connection${error ? `: ${error.message}` : ''}`);
      this.scheduleReconnect();
    };
    client.on('error', drop);
    client.on('end', () => drop());
    client.on('notification', (message) => {
      for (const subscriber of this.subscribers.get(message.channel) ?? []) {
        subscriber.onNotification(message.payload ?? '');
      }
    });
    try {
      await client.connect();
      // Until no channel is left: a channel may be subscribed while this connection is being set up.
      const listened = new Set<string>();
      for (let missing = [...this.subscribers.keys()]; missing.length > 0;) {
        for (const channel of missing) {
          await client.query(`LISTEN "${channel}"`);
          listened.add(channel);
        }
        missing = [...this.subscribers.keys()].filter((channel) => !listened.has(channel));
      }
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
    if (this.attempt > 0) this.logger.log('change listener reconnected');
    this.attempt = 0;
    for (const set of this.subscribers.values()) for (const subscriber of set) subscriber.onListening();
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
