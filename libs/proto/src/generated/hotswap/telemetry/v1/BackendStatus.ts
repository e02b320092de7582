// Original file: proto/hotswap/telemetry/v1/telemetry.proto

import type { BreakerState as _hotswap_telemetry_v1_BreakerState, BreakerState__Output as _hotswap_telemetry_v1_BreakerState__Output } from '../../../hotswap/telemetry/v1/BreakerState';

export interface BackendStatus {
  'backendId'?: (string);
  'breakerState'?: (_hotswap_telemetry_v1_BreakerState);
  'inFlight'?: (number);
}

export interface BackendStatus__Output {
  'backendId': (string);
  'breakerState': (_hotswap_telemetry_v1_BreakerState__Output);
  'inFlight': (number);
}
