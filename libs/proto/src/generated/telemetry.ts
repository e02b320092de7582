import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { BackendStatus as _hotswap_telemetry_v1_BackendStatus, BackendStatus__Output as _hotswap_telemetry_v1_BackendStatus__Output } from './hotswap/telemetry/v1/BackendStatus';
import type { BreakerCounts as _hotswap_telemetry_v1_BreakerCounts, BreakerCounts__Output as _hotswap_telemetry_v1_BreakerCounts__Output } from './hotswap/telemetry/v1/BreakerCounts';
import type { RateLimitRejections as _hotswap_telemetry_v1_RateLimitRejections, RateLimitRejections__Output as _hotswap_telemetry_v1_RateLimitRejections__Output } from './hotswap/telemetry/v1/RateLimitRejections';
import type { TelemetryClient as _hotswap_telemetry_v1_TelemetryClient, TelemetryDefinition as _hotswap_telemetry_v1_TelemetryDefinition } from './hotswap/telemetry/v1/Telemetry';
import type { TelemetryAck as _hotswap_telemetry_v1_TelemetryAck, TelemetryAck__Output as _hotswap_telemetry_v1_TelemetryAck__Output } from './hotswap/telemetry/v1/TelemetryAck';
import type { TelemetryReport as _hotswap_telemetry_v1_TelemetryReport, TelemetryReport__Output as _hotswap_telemetry_v1_TelemetryReport__Output } from './hotswap/telemetry/v1/TelemetryReport';
import type { TrafficSeries as _hotswap_telemetry_v1_TrafficSeries, TrafficSeries__Output as _hotswap_telemetry_v1_TrafficSeries__Output } from './hotswap/telemetry/v1/TrafficSeries';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  hotswap: {
    telemetry: {
      v1: {
        BackendStatus: MessageTypeDefinition<_hotswap_telemetry_v1_BackendStatus, _hotswap_telemetry_v1_BackendStatus__Output>
        BreakerCounts: MessageTypeDefinition<_hotswap_telemetry_v1_BreakerCounts, _hotswap_telemetry_v1_BreakerCounts__Output>
        BreakerState: EnumTypeDefinition
        RateLimitRejections: MessageTypeDefinition<_hotswap_telemetry_v1_RateLimitRejections, _hotswap_telemetry_v1_RateLimitRejections__Output>
        Telemetry: SubtypeConstructor<typeof grpc.Client, _hotswap_telemetry_v1_TelemetryClient> & { service: _hotswap_telemetry_v1_TelemetryDefinition }
        TelemetryAck: MessageTypeDefinition<_hotswap_telemetry_v1_TelemetryAck, _hotswap_telemetry_v1_TelemetryAck__Output>
        TelemetryReport: MessageTypeDefinition<_hotswap_telemetry_v1_TelemetryReport, _hotswap_telemetry_v1_TelemetryReport__Output>
        TrafficSeries: MessageTypeDefinition<_hotswap_telemetry_v1_TrafficSeries, _hotswap_telemetry_v1_TrafficSeries__Output>
        TrafficVariant: EnumTypeDefinition
      }
    }
  }
}

