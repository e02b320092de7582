import type { OnApplicationShutdown } from '@nestjs/common';
import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type Tracing,
} from '@hotswap/observability';

/**
 * The control plane's spans. With tracing off (no OTLP endpoint) every method runs its work and makes nothing.
 * Spans are made active (AsyncLocalStorage) so that work done while serving a REST call (a snapshot publish, a
 * deployment transition) becomes its child.
 */
export class ControlPlaneTracer implements OnApplicationShutdown {
  constructor(private readonly tracing: Tracing | undefined) {}

  get isEnabled(): boolean {
    return this.tracing !== undefined;
  }

  /** The span `work` runs in: a child of the active one (else a root), ended when `work` settles, errors recorded. */
  async inSpan<T>(
    name: string,
    attributes: Attributes,
    work: (span: Span | undefined) => Promise<T>,
    kind: SpanKind = SpanKind.INTERNAL,
  ): Promise<T> {
    const tracing = this.tracing;
    if (tracing === undefined) return work(undefined);
    return tracing.tracer.startActiveSpan(name, { kind, attributes }, async (span) => {
      try {
        return await work(span);
      } catch (error) {
        recordError(span, error);
        throw error;
      } finally {
        span.end();
      }
    });
  }

  /** The trace id of the active span, when tracing is on and one is active. */
  activeTraceId(): string | undefined {
    if (this.tracing === undefined) return undefined;
    return trace.getActiveSpan()?.spanContext().traceId;
  }

  /** Starts a span that the caller makes active (`context.with`) and ends; undefined with tracing off. */
  startSpan(name: string, kind: SpanKind, attributes: Attributes, parent = context.active()): Span | undefined {
    return this.tracing?.tracer.startSpan(name, { kind, attributes }, parent);
  }

  /** Exports the spans not exported yet. */
  async flush(): Promise<void> {
    await this.tracing?.forceFlush();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.tracing?.shutdown();
  }
}

/** Marks `span` failed by `error` (its code when it has one: the stable error codes of the API). */
export function recordError(span: Span, error: unknown): void {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') span.setAttribute('error.type', code);
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
