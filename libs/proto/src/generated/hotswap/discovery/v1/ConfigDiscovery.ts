// Original file: proto/hotswap/discovery/v1/discovery.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ControlPlaneMessage as _hotswap_discovery_v1_ControlPlaneMessage, ControlPlaneMessage__Output as _hotswap_discovery_v1_ControlPlaneMessage__Output } from '../../../hotswap/discovery/v1/ControlPlaneMessage';
import type { DataPlaneMessage as _hotswap_discovery_v1_DataPlaneMessage, DataPlaneMessage__Output as _hotswap_discovery_v1_DataPlaneMessage__Output } from '../../../hotswap/discovery/v1/DataPlaneMessage';

export interface ConfigDiscoveryClient extends grpc.Client {
  StreamConfig(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_hotswap_discovery_v1_DataPlaneMessage, _hotswap_discovery_v1_ControlPlaneMessage__Output>;
  StreamConfig(options?: grpc.CallOptions): grpc.ClientDuplexStream<_hotswap_discovery_v1_DataPlaneMessage, _hotswap_discovery_v1_ControlPlaneMessage__Output>;
  streamConfig(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_hotswap_discovery_v1_DataPlaneMessage, _hotswap_discovery_v1_ControlPlaneMessage__Output>;
  streamConfig(options?: grpc.CallOptions): grpc.ClientDuplexStream<_hotswap_discovery_v1_DataPlaneMessage, _hotswap_discovery_v1_ControlPlaneMessage__Output>;
  
}

export interface ConfigDiscoveryHandlers extends grpc.UntypedServiceImplementation {
  StreamConfig: grpc.handleBidiStreamingCall<_hotswap_discovery_v1_DataPlaneMessage__Output, _hotswap_discovery_v1_ControlPlaneMessage>;
  
}

export interface ConfigDiscoveryDefinition extends grpc.ServiceDefinition {
  StreamConfig: MethodDefinition<_hotswap_discovery_v1_DataPlaneMessage, _hotswap_discovery_v1_ControlPlaneMessage, _hotswap_discovery_v1_DataPlaneMessage__Output, _hotswap_discovery_v1_ControlPlaneMessage__Output>
}
