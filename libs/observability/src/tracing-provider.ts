import { Metadata } from '@grpc/grpc-js';
import { context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter as OtlpGrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OtlpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TracesSampler, TracingConfig } from './tracing-config';

/** A running tracer provider: spans made with `tracer` are batched and exported over OTLP (HTTP or gRPC). */
export interface Tracing {
  readonly tracer: Tracer;
  /** Exports every ended span not exported yet. */
  forceFlush(): Promise<void>;
  /** Exports what is left and stops; spans ended afterwards are dropped. */
  shutdown(): Promise<void>;
}

export interface StartTracingOptions {
  /** The instrumentation scope name (`otel.scope.name`). */
  scope: string;
  /**
   * Installs an AsyncLocalStorage context manager (once per process) so that a span made active with
   * `context.with` is the parent of spans made in its async continuations. For request/response services only:
   * the data plane passes parents explicitly and never sets this.
   */
  activeContext?: boolean;
}

/**
 * Starts tracing as `config` says; undefined when it configures no exporter (then nothing is allocated per
 * operation: callers branch once on that). The provider is not registered globally: callers use `tracer`.
 */
export function startTracing(config: TracingConfig, options: StartTracingOptions): Tracing | undefined {
  const url = config.tracesEndpoint;
  if (url === undefined) return undefined;
  const exporter = createExporter(config, url);
  const attributes: Record<string, string> = { ...config.resourceAttributes, [ATTR_SERVICE_NAME]: config.serviceName };
  if (config.serviceInstanceId !== undefined) attributes['service.instance.id'] = config.serviceInstanceId;
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(attributes),
    sampler: createSampler(config.sampler, config.samplerRatio),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: config.exportDelayMs })],
  });
  if (options.activeContext === true) {
    // Refused (false) when a context manager is installed already, which then serves as well.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  }
  return {
    tracer: provider.getTracer(options.scope),
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

function createExporter(config: TracingConfig, url: string): SpanExporter {
  const timeoutMillis = config.exportTimeoutMs;
  switch (config.protocol) {
    case 'http/protobuf':
      return new OtlpProtobufTraceExporter({ url, headers: { ...config.headers }, timeoutMillis });
    case 'http/json':
      return new OtlpJsonTraceExporter({ url, headers: { ...config.headers }, timeoutMillis });
    case 'grpc': {
      const metadata = new Metadata();
      for (const [name, value] of Object.entries(config.headers)) metadata.set(name, value);
      // An http:// URL makes a plaintext channel, https:// a TLS one.
      return new OtlpGrpcTraceExporter({ url, metadata, timeoutMillis });
    }
  }
}

function createSampler(name: TracesSampler, ratio: number): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}
