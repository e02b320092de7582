import type { ConfigSnapshot } from '@hotswap/config-snapshot';
import { decodeSnapshotPayload, type Snapshot__Output } from '@hotswap/proto';

/** The snapshot a push carries in full; fails the test when it carries a delta. */
export function fullSnapshotOf(pushed: Snapshot__Output): ConfigSnapshot {
  const decoded = decodeSnapshotPayload(pushed.payload, pushed.encoding);
  if (decoded.kind !== 'full') throw new Error(`expected a full snapshot, got encoding ${pushed.encoding}`);
  return decoded.snapshot as ConfigSnapshot;
}
