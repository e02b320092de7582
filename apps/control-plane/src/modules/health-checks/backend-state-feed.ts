import type { BackendStateRecord } from './backend-state';

/** Where the feed reads states from (the backends table). */
export interface BackendStateSource {
  /** The states of the backends named, or of every backend. */
  findStates(backendIds?: readonly string[]): Promise<BackendStateRecord[]>;
}

export type BackendStateListener = (changed: readonly BackendStateRecord[]) => void;

export interface BackendStateFeedLogger {
  warn(message: string): void;
}

/**
 * This replica's view of every backend's runtime state. Told that backends changed (a NOTIFY naming one, the
 * listener reconnecting), it reloads them and hands the ones whose sequence moved forward to its subscribers
 * (the discovery streams). Announcements arriving together are loaded together; a state never goes back to an
 * older sequence, so a late or repeated announcement changes nothing.
 */
export class BackendStateFeed {
  private readonly states = new Map<string, BackendStateRecord>();
  private readonly listeners = new Set<BackendStateListener>();
  private readonly pendingIds = new Set<string>();
  private isFullReloadRequested = false;
  private loading: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private isStopped = false;

  constructor(
    private readonly source: BackendStateSource,
    private readonly logger: BackendStateFeedLogger,
    private readonly retryDelayMs = 1_000,
  ) {}

  /** Every state known, for a stream that just opened. */
  current(): BackendStateRecord[] {
    return [...this.states.values()];
  }

  /** Calls `listener` with the states that change from now on; returns the unsubscribe function. */
  subscribe(listener: BackendStateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A backend's state changed (or, without an id, any may have): reload it. */
  notify(backendId?: string): void {
    if (backendId === undefined || backendId === '') this.isFullReloadRequested = true;
    else this.pendingIds.add(backendId);
    void this.load();
  }

  /** Reloads every state (at start, after the listener reconnects). Never rejects: failures retry later. */
  refresh(): Promise<void> {
    this.isFullReloadRequested = true;
    return this.load();
  }

  stop(): void {
    this.isStopped = true;
    clearTimeout(this.retryTimer);
    this.listeners.clear();
  }

  private load(): Promise<void> {
    if (this.isStopped) return Promise.resolve();
    // Announcements that arrive while a load runs are picked up by its next round.
    this.loading ??= this.loadUntilSettled().finally(() => {
      this.loading = undefined;
      const hasPendingWork = this.isFullReloadRequested || this.pendingIds.size > 0;
      if (hasPendingWork && !this.retryTimer) void this.load();
    });
    return this.loading;
  }

  private async loadUntilSettled(): Promise<void> {
    // Let the announcements of one burst (a transaction's NOTIFYs arrive together) collect first.
    await new Promise((resolve) => setImmediate(resolve));
    while (!this.isStopped && (this.isFullReloadRequested || this.pendingIds.size > 0)) {
      const isFull = this.isFullReloadRequested;
      const ids = [...this.pendingIds];
      this.isFullReloadRequested = false;
      this.pendingIds.clear();
      try {
        const loaded = await this.source.findStates(isFull ? undefined : ids);
        this.take(loaded, isFull ? undefined : ids);
      } catch (error) {
        this.logger.warn(`loading backend states failed, retrying: ${(error as Error).message}`);
        this.isFullReloadRequested = true;
        this.scheduleRetry();
        return;
      }
    }
  }

  private take(loaded: readonly BackendStateRecord[], requestedIds: readonly string[] | undefined): void {
    if (this.isStopped) return;
    const changed: BackendStateRecord[] = [];
    for (const state of loaded) {
      const known = this.states.get(state.backendId);
      if (known && known.sequence >= state.sequence) continue;
      this.states.set(state.backendId, state);
      changed.push(state);
    }
    const present = new Set(loaded.map((state) => state.backendId));
    for (const id of requestedIds ?? [...this.states.keys()]) {
      if (!present.has(id)) this.states.delete(id);
    }
    if (changed.length === 0) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(changed);
      } catch (error) {
        this.logger.warn(`a stream failed to take ${changed.length} backend states: ${(error as Error).message}`);
      }
    }
  }

  private scheduleRetry(): void {
    if (this.isStopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.load();
    }, this.retryDelayMs);
    this.retryTimer.unref();
  }
}
