// Original file: proto/hotswap/discovery/v1/discovery.proto

import type { Hello as _hotswap_discovery_v1_Hello, Hello__Output as _hotswap_discovery_v1_Hello__Output } from '../../../hotswap/discovery/v1/Hello';
import type { Ack as _hotswap_discovery_v1_Ack, Ack__Output as _hotswap_discovery_v1_Ack__Output } from '../../../hotswap/discovery/v1/Ack';
import type { Nack as _hotswap_discovery_v1_Nack, Nack__Output as _hotswap_discovery_v1_Nack__Output } from '../../../hotswap/discovery/v1/Nack';
import type { Heartbeat as _hotswap_discovery_v1_Heartbeat, Heartbeat__Output as _hotswap_discovery_v1_Heartbeat__Output } from '../../../hotswap/discovery/v1/Heartbeat';

export interface DataPlaneMessage {
  'hello'?: (_hotswap_discovery_v1_Hello | null);
  'ack'?: (_hotswap_discovery_v1_Ack | null);
  'nack'?: (_hotswap_discovery_v1_Nack | null);
  'heartbeat'?: (_hotswap_discovery_v1_Heartbeat | null);
  'message'?: "hello"|"ack"|"nack"|"heartbeat";
}

export interface DataPlaneMessage__Output {
  'hello'?: (_hotswap_discovery_v1_Hello__Output | null);
  'ack'?: (_hotswap_discovery_v1_Ack__Output | null);
  'nack'?: (_hotswap_discovery_v1_Nack__Output | null);
  'heartbeat'?: (_hotswap_discovery_v1_Heartbeat__Output | null);
  'message'?: "hello"|"ack"|"nack"|"heartbeat";
}
