/**
 * Per-key state of a local rate limit, bounded in size and without a timer: two generations of maps. Keys live in
 * the young one; a key found in the old one moves back to the young one. The young generation becomes the old one
 * (and the old one is dropped) when it holds half of `maxKeys`, or when it is `idleMs` old: so at most `maxKeys` keys
 * are held, and a key is dropped only after `idleMs` without a request (when its state no longer matters) or when
 * more than `maxKeys / 2` other keys came after it. Every operation is O(1) (a generation turns over in O(1) too:
 * the old map is left to the garbage collector).
 */
export class KeyTable<State> {
  private young = new Map<string, State>();
  private old = new Map<string, State>();
  private youngSinceMs: number;
  private readonly generationKeys: number;

  constructor(
    maxKeys: number,
    private readonly idleMs: number,
    nowMs: number,
  ) {
    this.generationKeys = Math.max(1, Math.floor(maxKeys / 2));
    this.youngSinceMs = nowMs;
  }

  /** Keys held, in both generations. */
  get size(): number {
    return this.young.size + this.old.size;
  }

  /** The state of `key`, or undefined when it has none (new, or dropped). */
  find(key: string, nowMs: number): State | undefined {
    if (nowMs - this.youngSinceMs >= this.idleMs) this.turnOver(nowMs);
    const state = this.young.get(key);
    if (state !== undefined) return state;
    const aged = this.old.get(key);
    if (aged !== undefined) {
      this.old.delete(key);
      this.add(key, aged, nowMs);
    }
    return aged;
  }

  /** Adds the state of a key that `find` did not find. */
  add(key: string, state: State, nowMs: number): void {
    if (this.young.size >= this.generationKeys) this.turnOver(nowMs);
    this.young.set(key, state);
  }

  private turnOver(nowMs: number): void {
    this.old = this.young;
    this.young = new Map();
    this.youngSinceMs = nowMs;
  }
}
