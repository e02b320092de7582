import { gunzipSync, gzipSync } from 'node:zlib';

/** A pushed snapshot in full: its JSON, gzip-compressed. */
export const SNAPSHOT_ENCODING = 'gzip+json';

/** A pushed snapshot as its changes from the one the data plane runs (a SnapshotDelta): JSON, gzip-compressed. */
export const SNAPSHOT_DELTA_ENCODING = 'gzip+json-delta';

export type DecodedSnapshotPayload = { kind: 'full'; snapshot: unknown } | { kind: 'delta'; delta: unknown };

/** Encodes a snapshot (or, with SNAPSHOT_DELTA_ENCODING, a delta) for the wire. */
export function encodeSnapshotPayload(value: unknown): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(value)), { level: 6 });
}

/** Decodes a pushed payload into untrusted JSON; the caller validates it. Throws on an unknown encoding. */
export function decodeSnapshotPayload(payload: Uint8Array, encoding: string): DecodedSnapshotPayload {
  if (encoding !== SNAPSHOT_ENCODING && encoding !== SNAPSHOT_DELTA_ENCODING) {
    throw new Error(`unknown snapshot encoding "${encoding}"`);
  }
  const value: unknown = JSON.parse(gunzipSync(payload).toString('utf8'));
  return encoding === SNAPSHOT_ENCODING ? { kind: 'full', snapshot: value } : { kind: 'delta', delta: value };
}
