/** Points each backend puts on the ring: enough that N backends share it within a few percent of 1/N each. */
export const VIRTUAL_NODES_PER_BACKEND = 160;

/**
 * 32-bit FNV-1a over the UTF-16 code units of `text` from `start`, then murmur3's finalizer (FNV-1a alone spreads
 * short, similar keys such as `b#1`, `b#2` poorly). Stable across processes, machines and versions: it is what
 * makes a client land on the same backend on every data plane and worker.
 */
export function stableHash(text: string, start = 0): number {
  let hash = 0x811c9dc5;
  for (let index = start; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

const IPV4_MAPPED = '::ffff:';

/** The hash of a client address; `::ffff:10.0.0.1` hashes as `10.0.0.1` (a dual-stack listener's view of IPv4). */
export function hashClientAddress(address: string): number {
  return stableHash(address, address.startsWith(IPV4_MAPPED) ? IPV4_MAPPED.length : 0);
}

/**
 * A consistent-hash ring: each backend id puts VIRTUAL_NODES_PER_BACKEND points on a 32-bit circle; a key belongs
 * to the first point at or after its hash. The points depend on backend ids only (not on their order in the route),
 * so every data plane builds the same ring, and adding or removing a backend moves only the keys its points own.
 * Built once per distinct backend list at snapshot compile; lookups are a binary search over typed arrays.
 */
export class ConsistentHashRing {
  private constructor(
    private readonly points: Uint32Array,
    /** Index in the route's targets of the backend owning each point. */
    private readonly owners: Uint32Array,
  ) {}

  static of(targets: ReadonlyArray<{ readonly backendId: string }>): ConsistentHashRing {
    const entries: Array<{ point: number; owner: number; id: string }> = [];
    targets.forEach((target, owner) => {
      for (let replica = 0; replica < VIRTUAL_NODES_PER_BACKEND; replica++) {
        entries.push({ point: stableHash(`${target.backendId}#${replica}`), owner, id: target.backendId });
      }
    });
    // Equal points (rare) are ordered by backend id, so the ring never depends on the route's backend order.
    entries.sort((a, b) => a.point - b.point || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return new ConsistentHashRing(
      Uint32Array.from(entries, (entry) => entry.point),
      Uint32Array.from(entries, (entry) => entry.owner),
    );
  }

  get size(): number {
    return this.points.length;
  }

  /** The index of the first point at or after `hash`, wrapping around to 0. */
  firstAtOrAfter(hash: number): number {
    const points = this.points;
    let low = 0;
    let high = points.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((points[middle] as number) < hash) low = middle + 1;
      else high = middle;
    }
    return low === points.length ? 0 : low;
  }

  /** The target index owning the point at `index`. */
  ownerAt(index: number): number {
    return this.owners[index] as number;
  }
}
