// Original file: proto/hotswap/management/v1/management.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Backend as _hotswap_management_v1_Backend, Backend__Output as _hotswap_management_v1_Backend__Output } from '../../../hotswap/management/v1/Backend';
import type { CreateBackendRequest as _hotswap_management_v1_CreateBackendRequest, CreateBackendRequest__Output as _hotswap_management_v1_CreateBackendRequest__Output } from '../../../hotswap/management/v1/CreateBackendRequest';
import type { DeleteBackendRequest as _hotswap_management_v1_DeleteBackendRequest, DeleteBackendRequest__Output as _hotswap_management_v1_DeleteBackendRequest__Output } from '../../../hotswap/management/v1/DeleteBackendRequest';
import type { DeleteResponse as _hotswap_management_v1_DeleteResponse, DeleteResponse__Output as _hotswap_management_v1_DeleteResponse__Output } from '../../../hotswap/management/v1/DeleteResponse';
import type { GetBackendRequest as _hotswap_management_v1_GetBackendRequest, GetBackendRequest__Output as _hotswap_management_v1_GetBackendRequest__Output } from '../../../hotswap/management/v1/GetBackendRequest';
import type { ListBackendsRequest as _hotswap_management_v1_ListBackendsRequest, ListBackendsRequest__Output as _hotswap_management_v1_ListBackendsRequest__Output } from '../../../hotswap/management/v1/ListBackendsRequest';
import type { ListBackendsResponse as _hotswap_management_v1_ListBackendsResponse, ListBackendsResponse__Output as _hotswap_management_v1_ListBackendsResponse__Output } from '../../../hotswap/management/v1/ListBackendsResponse';
import type { UpdateBackendRequest as _hotswap_management_v1_UpdateBackendRequest, UpdateBackendRequest__Output as _hotswap_management_v1_UpdateBackendRequest__Output } from '../../../hotswap/management/v1/UpdateBackendRequest';

export interface BackendServiceClient extends grpc.Client {
  CreateBackend(argument: _hotswap_management_v1_CreateBackendRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Backend__Output>): grpc.ClientUnaryCall;
  CreateBackend(argument: _hotswap_management_v1_CreateBackendRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Backend__Output>): grpc.ClientUnaryCall;
  CreateBackend(argument: _hotswap_management_v1_CreateBackendRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Backend__Output>): grpc.ClientUnaryCall;
  CreateBackend(argument: _hotswap_management_v1_CreateBackendRequest, callback: grpc.requestCallback<_hotswap_management_v1_Backend__Output>): grpc.ClientUnaryCall;
  createBackend(argument: _hotswap_management_v1_CreateBackendRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Backend__Output>): grpc.ClientUnaryCall;
  createBackend(argument: _hotswap_management_v1_CreateBackendRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Backend__Output>): grpc.ClientUnaryCall;
  createBackend(argument: _hotswap_management_v1_CreateBackendRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Backend__Output>): grpc.ClientUnaryCall;
  createBackend(argument: _hotswap_management_v1_CreateBackendRequest, callback: grpc.requestCallback<_hotswap_management_v1_Backend__Output>): grpc.ClientUnaryCall;
  
  DeleteBackend(argument: _hotswap_management_v1_DeleteBackendRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  DeleteBackend(argument: _hotswap_management_v1_DeleteBackendRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  DeleteBackend(argument: _hotswap_management_v1_DeleteBackendRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  DeleteBackend(argument: _hotswap_management_v1_DeleteBackendRequest, callback: grpc.requestCallback<_hotswap_management_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  deleteBackend(argument: _hotswap_management_v1_DeleteBackendRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  deleteBackend(argument: _hotswap_management_v1_DeleteBackendRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  deleteBackend(argument: _hotswap_management_v1_DeleteBackendRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  deleteBackend(argument: _hotswap_management_v1_DeleteBackendRequest, callback: grpc.requestCallback<_hotswap_management_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  
  GetBackend(argument: _hotswap_management_v1_GetBackendRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Backend__Output>): grpc.ClientUnaryCall;
  GetBackend(argument: _hotswap_management_v1_GetBackendRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Backend__Output>): grpc.ClientUnaryCall;
  GetBackend(argument: _hotswap_management_v1_GetBackendRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Backend__Output>): grpc.ClientUnaryCall;
  GetBackend(argument: _hotswap_management_v1_GetBackendRequest, callback: grpc.requestCallback<_hotswap_management_v1_Backend__Output>): grpc.ClientUnaryCall;
  getBackend(argument: _hotswap_management_v1_GetBackendRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Backend__Output>): grpc.ClientUnaryCall;
  getBackend(argument: _hotswap_management_v1_GetBackendRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Backend__Output>): grpc.ClientUnaryCall;
  getBackend(argument: _hotswap_management_v1_GetBackendRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Backend__Output>): grpc.ClientUnaryCall;
  getBackend(argument: _hotswap_management_v1_GetBackendRequest, callback: grpc.requestCallback<_hotswap_management_v1_Backend__Output>): grpc.ClientUnaryCall;
  
  ListBackends(argument: _hotswap_management_v1_ListBackendsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_ListBackendsResponse__Output>): grpc.ClientUnaryCall;
  ListBackends(argument: _hotswap_management_v1_ListBackendsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_ListBackendsResponse__Output>): grpc.ClientUnaryCall;
  ListBackends(argument: _hotswap_management_v1_ListBackendsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_ListBackendsResponse__Output>): grpc.ClientUnaryCall;
  ListBackends(argument: _hotswap_management_v1_ListBackendsRequest, callback: grpc.requestCallback<_hotswap_management_v1_ListBackendsResponse__Output>): grpc.ClientUnaryCall;
  listBackends(argument: _hotswap_management_v1_ListBackendsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_ListBackendsResponse__Output>): grpc.ClientUnaryCall;
  listBackends(argument: _hotswap_management_v1_ListBackendsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_ListBackendsResponse__Output>): grpc.ClientUnaryCall;
  listBackends(argument: _hotswap_management_v1_ListBackendsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_ListBackendsResponse__Output>): grpc.ClientUnaryCall;
  listBackends(argument: _hotswap_management_v1_ListBackendsRequest, callback: grpc.requestCallback<_hotswap_management_v1_ListBackendsResponse__Output>): grpc.ClientUnaryCall;
  
  UpdateBackend(argument: _hotswap_management_v1_UpdateBackendRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Backend__Output>): grpc.ClientUnaryCall;
  UpdateBackend(argument: _hotswap_management_v1_UpdateBackendRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Backend__Output>): grpc.ClientUnaryCall;
  UpdateBackend(argument: _hotswap_management_v1_UpdateBackendRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Backend__Output>): grpc.ClientUnaryCall;
  UpdateBackend(argument: _hotswap_management_v1_UpdateBackendRequest, callback: grpc.requestCallback<_hotswap_management_v1_Backend__Output>): grpc.ClientUnaryCall;
  updateBackend(argument: _hotswap_management_v1_UpdateBackendRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Backend__Output>): grpc.ClientUnaryCall;
  updateBackend(argument: _hotswap_management_v1_UpdateBackendRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Backend__Output>): grpc.ClientUnaryCall;
  updateBackend(argument: _hotswap_management_v1_UpdateBackendRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Backend__Output>): grpc.ClientUnaryCall;
  updateBackend(argument: _hotswap_management_v1_UpdateBackendRequest, callback: grpc.requestCallback<_hotswap_management_v1_Backend__Output>): grpc.ClientUnaryCall;
  
}

export interface BackendServiceHandlers extends grpc.UntypedServiceImplementation {
  CreateBackend: grpc.handleUnaryCall<_hotswap_management_v1_CreateBackendRequest__Output, _hotswap_management_v1_Backend>;
  
  DeleteBackend: grpc.handleUnaryCall<_hotswap_management_v1_DeleteBackendRequest__Output, _hotswap_management_v1_DeleteResponse>;
  
  GetBackend: grpc.handleUnaryCall<_hotswap_management_v1_GetBackendRequest__Output, _hotswap_management_v1_Backend>;
  
  ListBackends: grpc.handleUnaryCall<_hotswap_management_v1_ListBackendsRequest__Output, _hotswap_management_v1_ListBackendsResponse>;
  
  UpdateBackend: grpc.handleUnaryCall<_hotswap_management_v1_UpdateBackendRequest__Output, _hotswap_management_v1_Backend>;
  
}

export interface BackendServiceDefinition extends grpc.ServiceDefinition {
  CreateBackend: MethodDefinition<_hotswap_management_v1_CreateBackendRequest, _hotswap_management_v1_Backend, _hotswap_management_v1_CreateBackendRequest__Output, _hotswap_management_v1_Backend__Output>
  DeleteBackend: MethodDefinition<_hotswap_management_v1_DeleteBackendRequest, _hotswap_management_v1_DeleteResponse, _hotswap_management_v1_DeleteBackendRequest__Output, _hotswap_management_v1_DeleteResponse__Output>
  GetBackend: MethodDefinition<_hotswap_management_v1_GetBackendRequest, _hotswap_management_v1_Backend, _hotswap_management_v1_GetBackendRequest__Output, _hotswap_management_v1_Backend__Output>
  ListBackends: MethodDefinition<_hotswap_management_v1_ListBackendsRequest, _hotswap_management_v1_ListBackendsResponse, _hotswap_management_v1_ListBackendsRequest__Output, _hotswap_management_v1_ListBackendsResponse__Output>
  UpdateBackend: MethodDefinition<_hotswap_management_v1_UpdateBackendRequest, _hotswap_management_v1_Backend, _hotswap_management_v1_UpdateBackendRequest__Output, _hotswap_management_v1_Backend__Output>
}
