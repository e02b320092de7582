import { gunzipSync, gzipSync } from 'node:zlib';

/** The only payload encoding of a pushed snapshot: its JSON, gzip-compressed. */
export const SNAPSHOT_ENCODING = 'gzip+json';

/** Encodes a snapshot for the wire. */
export function encodeSnapshotPayload(snapshot: unknown): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(snapshot)), { level: 6 });
}

/** Decodes a pushed payload into untrusted JSON; the caller validates it. Throws on an unknown encoding. */
export function decodeSnapshotPayload(payload: Uint8Array, encoding: string): unknown {
  if (encoding !== SNAPSHOT_ENCODING) throw new Error(`unknown snapshot encoding "${encoding}"`);
  return JSON.parse(gunzipSync(payload).toString('utf8'));
}
