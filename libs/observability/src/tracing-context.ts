import { ROOT_CONTEXT, trace, TraceFlags, type Context, type Span } from '@opentelemetry/api';

export { SpanKind, SpanStatusCode, context, trace, ROOT_CONTEXT } from '@opentelemetry/api';
export type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';

/**
 * The context of a caller's span, from the parts of a valid W3C `traceparent` (lowercase hex, already checked):
 * spans started in it continue the caller's trace, and parent-based samplers follow its sampled flag.
 */
export function remoteParentContext(traceId: string, parentSpanId: string, flags: string): Context {
  const traceFlags = (parseInt(flags, 16) & TraceFlags.SAMPLED) === 1 ? TraceFlags.SAMPLED : TraceFlags.NONE;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: parentSpanId, traceFlags, isRemote: true });
}

/** The W3C `traceparent` that makes `span` the parent of what the receiver records. */
export function traceparentOf(span: Span): string {
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${(traceFlags & TraceFlags.SAMPLED) === 1 ? '01' : '00'}`;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ALL_ZEROS = /^0+$/;

/** The context that continues a valid W3C `traceparent` (version 00); the root context for anything else. */
export function contextFromTraceparent(header: string | undefined): Context {
  const parsed = header === undefined ? null : TRACEPARENT.exec(header.trim().toLowerCase());
  if (parsed === null) return ROOT_CONTEXT;
  const [, traceId, spanId, flags] = parsed as unknown as [string, string, string, string];
  if (ALL_ZEROS.test(traceId) || ALL_ZEROS.test(spanId)) return ROOT_CONTEXT;
  return remoteParentContext(traceId, spanId, flags);
}
