// Original file: proto/hotswap/discovery/v1/discovery.proto

import type { BackendState as _hotswap_discovery_v1_BackendState, BackendState__Output as _hotswap_discovery_v1_BackendState__Output } from '../../../hotswap/discovery/v1/BackendState';

export interface BackendStates {
  'full'?: (boolean);
  'states'?: (_hotswap_discovery_v1_BackendState)[];
}

export interface BackendStates__Output {
  'full': (boolean);
  'states': (_hotswap_discovery_v1_BackendState__Output)[];
}
