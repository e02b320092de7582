import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 8192;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let poolOffset = POOL_BYTES;

/** `bytes` random bytes as lowercase hex, from a pooled buffer refilled 8 KiB at a time. */
export function randomHex(bytes: number): string {
  if (poolOffset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}(-|$)/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/** The parts of a valid W3C `traceparent` header that the gateway keeps. */
export interface TraceContext {
  traceId: string;
  flags: string;
}

/** Parses a W3C `traceparent` (version 00, or a later version read as 00); `undefined` when it is not valid. */
export function parseTraceparent(header: string | undefined): TraceContext | undefined {
  if (header === undefined || header.length < 55 || !TRACEPARENT.test(header)) return undefined;
  const version = header.slice(0, 2);
  if (version === 'ff' || (version === '00' && header.length !== 55)) return undefined;
  const traceId = header.slice(3, 35);
  if (traceId === ZERO_TRACE_ID || header.slice(36, 52) === ZERO_SPAN_ID) return undefined;
  return { traceId, flags: header.slice(53, 55) };
}

/** A new trace id: 16 random bytes as 32 hex digits. */
export function newTraceId(): string {
  return randomHex(16);
}

/** The `traceparent` the gateway sends to the backend: the same trace, the gateway's own span as the parent. */
export function childTraceparent(traceId: string, flags: string): string {
  return `00-${traceId}-${randomHex(8)}-${flags}`;
}
