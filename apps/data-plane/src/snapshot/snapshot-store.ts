import type { ActiveSnapshot } from './compiled-snapshot';

/**
 * Holds the active snapshot as one reference. The proxy reads it once per request, so a request finishes on the
 * snapshot it started with; a swap replaces the whole reference and never patches it.
 */
export class SnapshotStore {
  private active: ActiveSnapshot | undefined;
  private readonly listeners = new Set<(active: ActiveSnapshot) => void>();

  get current(): ActiveSnapshot | undefined {
    return this.active;
  }

  /** Makes `next` the active snapshot; returns the one it replaced. */
  swap(next: ActiveSnapshot): ActiveSnapshot | undefined {
    const previous = this.active;
    this.active = next;
    for (const listener of this.listeners) listener(next);
    return previous;
  }

  /** Calls `listener` after every swap; returns the function that unsubscribes it. */
  onSwap(listener: (active: ActiveSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
