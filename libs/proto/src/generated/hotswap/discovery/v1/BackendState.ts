// Original file: proto/hotswap/discovery/v1/discovery.proto

import type { BreakerOverride as _hotswap_discovery_v1_BreakerOverride, BreakerOverride__Output as _hotswap_discovery_v1_BreakerOverride__Output } from '../../../hotswap/discovery/v1/BreakerOverride';
import type { Long } from '@grpc/proto-loader';

export interface BackendState {
  'backendId'?: (string);
  'healthStatus'?: (string);
  'breakerOverride'?: (_hotswap_discovery_v1_BreakerOverride);
  'sequence'?: (number | string | Long);
  'updatedAtMs'?: (number | string | Long);
}

export interface BackendState__Output {
  'backendId': (string);
  'healthStatus': (string);
  'breakerOverride': (_hotswap_discovery_v1_BreakerOverride__Output);
  'sequence': (number);
  'updatedAtMs': (number);
}
