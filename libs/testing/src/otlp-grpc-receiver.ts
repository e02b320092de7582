import { resolve } from 'node:path';
import {
  Server,
  ServerCredentials,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { decodeExport, type OtlpExport, type OtlpReceiver } from './otlp-receiver';

/** Beside both `src/` and `dist/`. */
const TRACE_SERVICE_PROTO = resolve(__dirname, '../proto/otlp-trace-service.proto');
const TRACE_SERVICE = 'opentelemetry.proto.collector.trace.v1.TraceService';

/** A real OTLP/gRPC traces receiver on 127.0.0.1 (set OTEL_EXPORTER_OTLP_PROTOCOL=grpc). */
export interface OtlpGrpcReceiver extends OtlpReceiver {
  /** The gRPC metadata of every export call, in arrival order (keys lowercase). */
  metadata: Array<Record<string, string>>;
}

/**
 * Starts a gRPC server implementing `opentelemetry.proto.collector.trace.v1.TraceService/Export` on plaintext:
 * every request is decoded into `spans` and answered with an empty (fully successful) response. `url` is
 * `http://127.0.0.1:<port>`, for OTEL_EXPORTER_OTLP_ENDPOINT.
 */
export async function startOtlpGrpcReceiver(): Promise<OtlpGrpcReceiver> {
  const definition = loadSync(TRACE_SERVICE_PROTO, { longs: Number, oneofs: true });
  const server = new Server();
  const receiver: OtlpGrpcReceiver = {
    url: '',
    spans: [],
    requestCount: 0,
    metadata: [],
    close: async () => {
      server.forceShutdown();
    },
  };
  server.addService(definition[TRACE_SERVICE] as ServiceDefinition, {
    Export: (call: ServerUnaryCall<OtlpExport, object>, callback: sendUnaryData<object>) => {
      receiver.requestCount++;
      receiver.metadata.push(
        Object.fromEntries(Object.entries(call.metadata.getMap()).map(([key, value]) => [key, String(value)])),
      );
      receiver.spans.push(...decodeExport(call.request));
      callback(null, {});
    },
  });
  const port = await new Promise<number>((done, fail) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error === null ? done(bound) : fail(error),
    ),
  );
  receiver.url = `http://127.0.0.1:${port}`;
  return receiver;
}
