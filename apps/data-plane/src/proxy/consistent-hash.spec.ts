import { ConsistentHashRing, hashClientAddress, stableHash } from './consistent-hash';

/** 10,000 synthetic client addresses spread over 10.0.0.0/16 and 192.168.0.0/16. */
const CLIENTS = Array.from(
  { length: 10_000 },
  (_, index) => `${index % 2 === 0 ? '10.0' : '192.168'}.${(index >> 8) & 255}.${index & 255}`,
);

function backends(count: number): Array<{ backendId: string }> {
  return Array.from({ length: count }, (_, index) => ({ backendId: `backend-${index}` }));
}

/** Which backend id owns each client on a ring of `targets`. */
function assign(targets: Array<{ backendId: string }>): string[] {
  const ring = ConsistentHashRing.of(targets);
  return CLIENTS.map((client) => targets[ring.ownerAt(ring.firstAtOrAfter(hashClientAddress(client)))]!.backendId);
}

describe('consistent hashing', () => {
  it('hashes with a stable function: fixed values on every process and machine', () => {
    // FNV-1a then murmur3's finalizer. A change here would move clients between backends on upgrade.
    expect(stableHash('10.0.0.1')).toBe(2931590574);
    expect(stableHash('backend-1#0')).toBe(1096332238);
    expect(stableHash('')).toBe(2872998923);
  });

  it('spreads 10,000 clients over 5 backends within 25% of an even share each', () => {
    const counts = new Map<string, number>();
    for (const id of assign(backends(5))) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect(counts.size).toBe(5);
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(2000 * 0.75);
      expect(count).toBeLessThan(2000 * 1.25);
    }
  });

  it('moves about 1/N of the clients when a backend is added to N', () => {
    const before = assign(backends(4));
    const after = assign(backends(5));
    const moved = before.filter((id, index) => id !== after[index]);
    // Ideal: 1/5 of them, every one to the new backend.
    expect(moved.length / CLIENTS.length).toBeGreaterThan(0.12);
    expect(moved.length / CLIENTS.length).toBeLessThan(0.28);
    after.forEach((id, index) => {
      if (id !== before[index]) expect(id).toBe('backend-4');
    });
  });

  it('moves only the clients of a removed backend', () => {
    const before = assign(backends(5));
    const after = assign(backends(5).filter((backend) => backend.backendId !== 'backend-2'));
    const moved = before.filter((id, index) => id !== after[index]);
    expect(moved.every((id) => id === 'backend-2')).toBe(true);
    expect(moved.length).toBe(before.filter((id) => id === 'backend-2').length);
    expect(moved.length / CLIENTS.length).toBeGreaterThan(0.12);
    expect(moved.length / CLIENTS.length).toBeLessThan(0.28);
  });
});
