// Original file: proto/hotswap/telemetry/v1/telemetry.proto

import type { Long } from '@grpc/proto-loader';

export interface TelemetryAck {
  'sequence'?: (number | string | Long);
}

export interface TelemetryAck__Output {
  'sequence': (number);
}
