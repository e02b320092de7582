// Original file: proto/hotswap/telemetry/v1/telemetry.proto

import type { Long } from '@grpc/proto-loader';

export interface RateLimitRejections {
  'routeId'?: (string);
  'rejected'?: (number | string | Long);
}

export interface RateLimitRejections__Output {
  'routeId': (string);
  'rejected': (number);
}
