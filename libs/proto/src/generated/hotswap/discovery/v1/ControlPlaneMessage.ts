// Original file: proto/hotswap/discovery/v1/discovery.proto

import type { Snapshot as _hotswap_discovery_v1_Snapshot, Snapshot__Output as _hotswap_discovery_v1_Snapshot__Output } from '../../../hotswap/discovery/v1/Snapshot';

export interface ControlPlaneMessage {
  'snapshot'?: (_hotswap_discovery_v1_Snapshot | null);
  'message'?: "snapshot";
}

export interface ControlPlaneMessage__Output {
  'snapshot'?: (_hotswap_discovery_v1_Snapshot__Output | null);
  'message'?: "snapshot";
}
