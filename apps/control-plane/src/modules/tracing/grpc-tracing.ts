import type * as grpc from '@grpc/grpc-js';
import { context, contextFromTraceparent, SpanKind, SpanStatusCode, trace } from '@hotswap/observability';
import type { ControlPlaneTracer } from './control-plane-tracer';

/**
 * `handlers` with each unary call served in an active server span named after the method
 * (`hotswap.management.v1.RouteService/CreateRoute`), continuing a valid `traceparent` in the call's metadata.
 * Streaming methods are left as they are. With tracing off: `handlers` itself.
 */
export function traceUnaryCalls(
  tracer: ControlPlaneTracer,
  definition: grpc.ServiceDefinition,
  handlers: grpc.UntypedServiceImplementation,
): grpc.UntypedServiceImplementation {
  if (!tracer.isEnabled) return handlers;
  const traced: grpc.UntypedServiceImplementation = { ...handlers };
  for (const [name, method] of Object.entries(definition)) {
    const handler = handlers[name];
    if (handler === undefined || method.requestStream || method.responseStream) continue;
    const unary = handler as grpc.handleUnaryCall<unknown, unknown>;
    const path = method.path.replace(/^\//, '');
    const [service = path] = path.split('/');
    traced[name] = ((call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const header = call.metadata.get('traceparent')[0];
      const parent = contextFromTraceparent(typeof header === 'string' ? header : undefined);
      const attributes = { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': name };
      const span = tracer.startSpan(path, SpanKind.SERVER, attributes, parent);
      if (span === undefined) return unary(call, callback);
      const done: grpc.sendUnaryData<unknown> = (error, ...rest) => {
        span.setAttribute('rpc.grpc.status_code', error?.code ?? 0);
        if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error.details });
        span.end();
        callback(error, ...rest);
      };
      context.with(trace.setSpan(parent, span), () => unary(call, done));
    }) as grpc.handleUnaryCall<unknown, unknown>;
  }
  return traced;
}
