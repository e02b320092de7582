// Original file: proto/hotswap/telemetry/v1/telemetry.proto

import type { TrafficSeries as _hotswap_telemetry_v1_TrafficSeries, TrafficSeries__Output as _hotswap_telemetry_v1_TrafficSeries__Output } from '../../../hotswap/telemetry/v1/TrafficSeries';
import type { BackendStatus as _hotswap_telemetry_v1_BackendStatus, BackendStatus__Output as _hotswap_telemetry_v1_BackendStatus__Output } from '../../../hotswap/telemetry/v1/BackendStatus';
import type { BreakerCounts as _hotswap_telemetry_v1_BreakerCounts, BreakerCounts__Output as _hotswap_telemetry_v1_BreakerCounts__Output } from '../../../hotswap/telemetry/v1/BreakerCounts';
import type { RateLimitRejections as _hotswap_telemetry_v1_RateLimitRejections, RateLimitRejections__Output as _hotswap_telemetry_v1_RateLimitRejections__Output } from '../../../hotswap/telemetry/v1/RateLimitRejections';
import type { Long } from '@grpc/proto-loader';

export interface TelemetryReport {
  'dataPlaneId'?: (string);
  'bootId'?: (string);
  'sequence'?: (number | string | Long);
  'windowStartMs'?: (number | string | Long);
  'windowEndMs'?: (number | string | Long);
  'configVersion'?: (number | string | Long);
  'latencyBoundsVersion'?: (number);
  'series'?: (_hotswap_telemetry_v1_TrafficSeries)[];
  'overflowSeriesCount'?: (number);
  'backends'?: (_hotswap_telemetry_v1_BackendStatus)[];
  'breakers'?: (_hotswap_telemetry_v1_BreakerCounts | null);
  'rateLimits'?: (_hotswap_telemetry_v1_RateLimitRejections)[];
  'activeConnections'?: (number);
  'inFlightRequests'?: (number);
  'mergedWindows'?: (number);
}

export interface TelemetryReport__Output {
  'dataPlaneId': (string);
  'bootId': (string);
  'sequence': (number);
  'windowStartMs': (number);
  'windowEndMs': (number);
  'configVersion': (number);
  'latencyBoundsVersion': (number);
  'series': (_hotswap_telemetry_v1_TrafficSeries__Output)[];
  'overflowSeriesCount': (number);
  'backends': (_hotswap_telemetry_v1_BackendStatus__Output)[];
  'breakers': (_hotswap_telemetry_v1_BreakerCounts__Output | null);
  'rateLimits': (_hotswap_telemetry_v1_RateLimitRejections__Output)[];
  'activeConnections': (number);
  'inFlightRequests': (number);
  'mergedWindows': (number);
}
