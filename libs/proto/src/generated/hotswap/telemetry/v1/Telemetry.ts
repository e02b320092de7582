// Original file: proto/hotswap/telemetry/v1/telemetry.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { TelemetryAck as _hotswap_telemetry_v1_TelemetryAck, TelemetryAck__Output as _hotswap_telemetry_v1_TelemetryAck__Output } from '../../../hotswap/telemetry/v1/TelemetryAck';
import type { TelemetryReport as _hotswap_telemetry_v1_TelemetryReport, TelemetryReport__Output as _hotswap_telemetry_v1_TelemetryReport__Output } from '../../../hotswap/telemetry/v1/TelemetryReport';

export interface TelemetryClient extends grpc.Client {
  ReportTelemetry(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_hotswap_telemetry_v1_TelemetryReport, _hotswap_telemetry_v1_TelemetryAck__Output>;
  ReportTelemetry(options?: grpc.CallOptions): grpc.ClientDuplexStream<_hotswap_telemetry_v1_TelemetryReport, _hotswap_telemetry_v1_TelemetryAck__Output>;
  reportTelemetry(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_hotswap_telemetry_v1_TelemetryReport, _hotswap_telemetry_v1_TelemetryAck__Output>;
  reportTelemetry(options?: grpc.CallOptions): grpc.ClientDuplexStream<_hotswap_telemetry_v1_TelemetryReport, _hotswap_telemetry_v1_TelemetryAck__Output>;
  
}

export interface TelemetryHandlers extends grpc.UntypedServiceImplementation {
  ReportTelemetry: grpc.handleBidiStreamingCall<_hotswap_telemetry_v1_TelemetryReport__Output, _hotswap_telemetry_v1_TelemetryAck>;
  
}

export interface TelemetryDefinition extends grpc.ServiceDefinition {
  ReportTelemetry: MethodDefinition<_hotswap_telemetry_v1_TelemetryReport, _hotswap_telemetry_v1_TelemetryAck, _hotswap_telemetry_v1_TelemetryReport__Output, _hotswap_telemetry_v1_TelemetryAck__Output>
}
