// Original file: proto/hotswap/discovery/v1/discovery.proto

import type { Snapshot as _hotswap_discovery_v1_Snapshot, Snapshot__Output as _hotswap_discovery_v1_Snapshot__Output } from '../../../hotswap/discovery/v1/Snapshot';
import type { BackendStates as _hotswap_discovery_v1_BackendStates, BackendStates__Output as _hotswap_discovery_v1_BackendStates__Output } from '../../../hotswap/discovery/v1/BackendStates';

export interface ControlPlaneMessage {
  'snapshot'?: (_hotswap_discovery_v1_Snapshot | null);
  'backendStates'?: (_hotswap_discovery_v1_BackendStates | null);
  'message'?: "snapshot"|"backendStates";
}

export interface ControlPlaneMessage__Output {
  'snapshot'?: (_hotswap_discovery_v1_Snapshot__Output | null);
  'backendStates'?: (_hotswap_discovery_v1_BackendStates__Output | null);
  'message'?: "snapshot"|"backendStates";
}
