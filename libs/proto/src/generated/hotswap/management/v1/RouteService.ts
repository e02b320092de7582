// Original file: proto/hotswap/management/v1/management.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CreateRouteRequest as _hotswap_management_v1_CreateRouteRequest, CreateRouteRequest__Output as _hotswap_management_v1_CreateRouteRequest__Output } from '../../../hotswap/management/v1/CreateRouteRequest';
import type { DeleteResponse as _hotswap_management_v1_DeleteResponse, DeleteResponse__Output as _hotswap_management_v1_DeleteResponse__Output } from '../../../hotswap/management/v1/DeleteResponse';
import type { DeleteRouteRequest as _hotswap_management_v1_DeleteRouteRequest, DeleteRouteRequest__Output as _hotswap_management_v1_DeleteRouteRequest__Output } from '../../../hotswap/management/v1/DeleteRouteRequest';
import type { GetRouteRequest as _hotswap_management_v1_GetRouteRequest, GetRouteRequest__Output as _hotswap_management_v1_GetRouteRequest__Output } from '../../../hotswap/management/v1/GetRouteRequest';
import type { ListRoutesRequest as _hotswap_management_v1_ListRoutesRequest, ListRoutesRequest__Output as _hotswap_management_v1_ListRoutesRequest__Output } from '../../../hotswap/management/v1/ListRoutesRequest';
import type { ListRoutesResponse as _hotswap_management_v1_ListRoutesResponse, ListRoutesResponse__Output as _hotswap_management_v1_ListRoutesResponse__Output } from '../../../hotswap/management/v1/ListRoutesResponse';
import type { Route as _hotswap_management_v1_Route, Route__Output as _hotswap_management_v1_Route__Output } from '../../../hotswap/management/v1/Route';
import type { UpdateRouteRequest as _hotswap_management_v1_UpdateRouteRequest, UpdateRouteRequest__Output as _hotswap_management_v1_UpdateRouteRequest__Output } from '../../../hotswap/management/v1/UpdateRouteRequest';

export interface RouteServiceClient extends grpc.Client {
  CreateRoute(argument: _hotswap_management_v1_CreateRouteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Route__Output>): grpc.ClientUnaryCall;
  CreateRoute(argument: _hotswap_management_v1_CreateRouteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Route__Output>): grpc.ClientUnaryCall;
  CreateRoute(argument: _hotswap_management_v1_CreateRouteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Route__Output>): grpc.ClientUnaryCall;
  CreateRoute(argument: _hotswap_management_v1_CreateRouteRequest, callback: grpc.requestCallback<_hotswap_management_v1_Route__Output>): grpc.ClientUnaryCall;
  createRoute(argument: _hotswap_management_v1_CreateRouteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Route__Output>): grpc.ClientUnaryCall;
  createRoute(argument: _hotswap_management_v1_CreateRouteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Route__Output>): grpc.ClientUnaryCall;
  createRoute(argument: _hotswap_management_v1_CreateRouteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Route__Output>): grpc.ClientUnaryCall;
  createRoute(argument: _hotswap_management_v1_CreateRouteRequest, callback: grpc.requestCallback<_hotswap_management_v1_Route__Output>): grpc.ClientUnaryCall;
  
  DeleteRoute(argument: _hotswap_management_v1_DeleteRouteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  DeleteRoute(argument: _hotswap_management_v1_DeleteRouteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  DeleteRoute(argument: _hotswap_management_v1_DeleteRouteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  DeleteRoute(argument: _hotswap_management_v1_DeleteRouteRequest, callback: grpc.requestCallback<_hotswap_management_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  deleteRoute(argument: _hotswap_management_v1_DeleteRouteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  deleteRoute(argument: _hotswap_management_v1_DeleteRouteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  deleteRoute(argument: _hotswap_management_v1_DeleteRouteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  deleteRoute(argument: _hotswap_management_v1_DeleteRouteRequest, callback: grpc.requestCallback<_hotswap_management_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  
  GetRoute(argument: _hotswap_management_v1_GetRouteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Route__Output>): grpc.ClientUnaryCall;
  GetRoute(argument: _hotswap_management_v1_GetRouteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Route__Output>): grpc.ClientUnaryCall;
  GetRoute(argument: _hotswap_management_v1_GetRouteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Route__Output>): grpc.ClientUnaryCall;
  GetRoute(argument: _hotswap_management_v1_GetRouteRequest, callback: grpc.requestCallback<_hotswap_management_v1_Route__Output>): grpc.ClientUnaryCall;
  getRoute(argument: _hotswap_management_v1_GetRouteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Route__Output>): grpc.ClientUnaryCall;
  getRoute(argument: _hotswap_management_v1_GetRouteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Route__Output>): grpc.ClientUnaryCall;
  getRoute(argument: _hotswap_management_v1_GetRouteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Route__Output>): grpc.ClientUnaryCall;
  getRoute(argument: _hotswap_management_v1_GetRouteRequest, callback: grpc.requestCallback<_hotswap_management_v1_Route__Output>): grpc.ClientUnaryCall;
  
  ListRoutes(argument: _hotswap_management_v1_ListRoutesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_ListRoutesResponse__Output>): grpc.ClientUnaryCall;
  ListRoutes(argument: _hotswap_management_v1_ListRoutesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_ListRoutesResponse__Output>): grpc.ClientUnaryCall;
  ListRoutes(argument: _hotswap_management_v1_ListRoutesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_ListRoutesResponse__Output>): grpc.ClientUnaryCall;
  ListRoutes(argument: _hotswap_management_v1_ListRoutesRequest, callback: grpc.requestCallback<_hotswap_management_v1_ListRoutesResponse__Output>): grpc.ClientUnaryCall;
  listRoutes(argument: _hotswap_management_v1_ListRoutesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_ListRoutesResponse__Output>): grpc.ClientUnaryCall;
  listRoutes(argument: _hotswap_management_v1_ListRoutesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_ListRoutesResponse__Output>): grpc.ClientUnaryCall;
  listRoutes(argument: _hotswap_management_v1_ListRoutesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_ListRoutesResponse__Output>): grpc.ClientUnaryCall;
  listRoutes(argument: _hotswap_management_v1_ListRoutesRequest, callback: grpc.requestCallback<_hotswap_management_v1_ListRoutesResponse__Output>): grpc.ClientUnaryCall;
  
  UpdateRoute(argument: _hotswap_management_v1_UpdateRouteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Route__Output>): grpc.ClientUnaryCall;
  UpdateRoute(argument: _hotswap_management_v1_UpdateRouteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Route__Output>): grpc.ClientUnaryCall;
  UpdateRoute(argument: _hotswap_management_v1_UpdateRouteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Route__Output>): grpc.ClientUnaryCall;
  UpdateRoute(argument: _hotswap_management_v1_UpdateRouteRequest, callback: grpc.requestCallback<_hotswap_management_v1_Route__Output>): grpc.ClientUnaryCall;
  updateRoute(argument: _hotswap_management_v1_UpdateRouteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Route__Output>): grpc.ClientUnaryCall;
  updateRoute(argument: _hotswap_management_v1_UpdateRouteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Route__Output>): grpc.ClientUnaryCall;
  updateRoute(argument: _hotswap_management_v1_UpdateRouteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Route__Output>): grpc.ClientUnaryCall;
  updateRoute(argument: _hotswap_management_v1_UpdateRouteRequest, callback: grpc.requestCallback<_hotswap_management_v1_Route__Output>): grpc.ClientUnaryCall;
  
}

export interface RouteServiceHandlers extends grpc.UntypedServiceImplementation {
  CreateRoute: grpc.handleUnaryCall<_hotswap_management_v1_CreateRouteRequest__Output, _hotswap_management_v1_Route>;
  
  DeleteRoute: grpc.handleUnaryCall<_hotswap_management_v1_DeleteRouteRequest__Output, _hotswap_management_v1_DeleteResponse>;
  
  GetRoute: grpc.handleUnaryCall<_hotswap_management_v1_GetRouteRequest__Output, _hotswap_management_v1_Route>;
  
  ListRoutes: grpc.handleUnaryCall<_hotswap_management_v1_ListRoutesRequest__Output, _hotswap_management_v1_ListRoutesResponse>;
  
  UpdateRoute: grpc.handleUnaryCall<_hotswap_management_v1_UpdateRouteRequest__Output, _hotswap_management_v1_Route>;
  
}

export interface RouteServiceDefinition extends grpc.ServiceDefinition {
  CreateRoute: MethodDefinition<_hotswap_management_v1_CreateRouteRequest, _hotswap_management_v1_Route, _hotswap_management_v1_CreateRouteRequest__Output, _hotswap_management_v1_Route__Output>
  DeleteRoute: MethodDefinition<_hotswap_management_v1_DeleteRouteRequest, _hotswap_management_v1_DeleteResponse, _hotswap_management_v1_DeleteRouteRequest__Output, _hotswap_management_v1_DeleteResponse__Output>
  GetRoute: MethodDefinition<_hotswap_management_v1_GetRouteRequest, _hotswap_management_v1_Route, _hotswap_management_v1_GetRouteRequest__Output, _hotswap_management_v1_Route__Output>
  ListRoutes: MethodDefinition<_hotswap_management_v1_ListRoutesRequest, _hotswap_management_v1_ListRoutesResponse, _hotswap_management_v1_ListRoutesRequest__Output, _hotswap_management_v1_ListRoutesResponse__Output>
  UpdateRoute: MethodDefinition<_hotswap_management_v1_UpdateRouteRequest, _hotswap_management_v1_Route, _hotswap_management_v1_UpdateRouteRequest__Output, _hotswap_management_v1_Route__Output>
}
