import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Ack as _hotswap_discovery_v1_Ack, Ack__Output as _hotswap_discovery_v1_Ack__Output } from './hotswap/discovery/v1/Ack';
import type { BackendState as _hotswap_discovery_v1_BackendState, BackendState__Output as _hotswap_discovery_v1_BackendState__Output } from './hotswap/discovery/v1/BackendState';
import type { BackendStates as _hotswap_discovery_v1_BackendStates, BackendStates__Output as _hotswap_discovery_v1_BackendStates__Output } from './hotswap/discovery/v1/BackendStates';
import type { ConfigDiscoveryClient as _hotswap_discovery_v1_ConfigDiscoveryClient, ConfigDiscoveryDefinition as _hotswap_discovery_v1_ConfigDiscoveryDefinition } from './hotswap/discovery/v1/ConfigDiscovery';
import type { ControlPlaneMessage as _hotswap_discovery_v1_ControlPlaneMessage, ControlPlaneMessage__Output as _hotswap_discovery_v1_ControlPlaneMessage__Output } from './hotswap/discovery/v1/ControlPlaneMessage';
import type { DataPlaneMessage as _hotswap_discovery_v1_DataPlaneMessage, DataPlaneMessage__Output as _hotswap_discovery_v1_DataPlaneMessage__Output } from './hotswap/discovery/v1/DataPlaneMessage';
import type { Heartbeat as _hotswap_discovery_v1_Heartbeat, Heartbeat__Output as _hotswap_discovery_v1_Heartbeat__Output } from './hotswap/discovery/v1/Heartbeat';
import type { Hello as _hotswap_discovery_v1_Hello, Hello__Output as _hotswap_discovery_v1_Hello__Output } from './hotswap/discovery/v1/Hello';
import type { Nack as _hotswap_discovery_v1_Nack, Nack__Output as _hotswap_discovery_v1_Nack__Output } from './hotswap/discovery/v1/Nack';
import type { Snapshot as _hotswap_discovery_v1_Snapshot, Snapshot__Output as _hotswap_discovery_v1_Snapshot__Output } from './hotswap/discovery/v1/Snapshot';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  hotswap: {
    discovery: {
      v1: {
        Ack: MessageTypeDefinition<_hotswap_discovery_v1_Ack, _hotswap_discovery_v1_Ack__Output>
        BackendState: MessageTypeDefinition<_hotswap_discovery_v1_BackendState, _hotswap_discovery_v1_BackendState__Output>
        BackendStates: MessageTypeDefinition<_hotswap_discovery_v1_BackendStates, _hotswap_discovery_v1_BackendStates__Output>
        BreakerOverride: EnumTypeDefinition
        ConfigDiscovery: SubtypeConstructor<typeof grpc.Client, _hotswap_discovery_v1_ConfigDiscoveryClient> & { service: _hotswap_discovery_v1_ConfigDiscoveryDefinition }
        ControlPlaneMessage: MessageTypeDefinition<_hotswap_discovery_v1_ControlPlaneMessage, _hotswap_discovery_v1_ControlPlaneMessage__Output>
        DataPlaneMessage: MessageTypeDefinition<_hotswap_discovery_v1_DataPlaneMessage, _hotswap_discovery_v1_DataPlaneMessage__Output>
        Heartbeat: MessageTypeDefinition<_hotswap_discovery_v1_Heartbeat, _hotswap_discovery_v1_Heartbeat__Output>
        Hello: MessageTypeDefinition<_hotswap_discovery_v1_Hello, _hotswap_discovery_v1_Hello__Output>
        Nack: MessageTypeDefinition<_hotswap_discovery_v1_Nack, _hotswap_discovery_v1_Nack__Output>
        Snapshot: MessageTypeDefinition<_hotswap_discovery_v1_Snapshot, _hotswap_discovery_v1_Snapshot__Output>
      }
    }
  }
}

