import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Backend as _hotswap_management_v1_Backend, Backend__Output as _hotswap_management_v1_Backend__Output } from './hotswap/management/v1/Backend';
import type { BackendServiceClient as _hotswap_management_v1_BackendServiceClient, BackendServiceDefinition as _hotswap_management_v1_BackendServiceDefinition } from './hotswap/management/v1/BackendService';
import type { CreateBackendRequest as _hotswap_management_v1_CreateBackendRequest, CreateBackendRequest__Output as _hotswap_management_v1_CreateBackendRequest__Output } from './hotswap/management/v1/CreateBackendRequest';
import type { CreateDeploymentRequest as _hotswap_management_v1_CreateDeploymentRequest, CreateDeploymentRequest__Output as _hotswap_management_v1_CreateDeploymentRequest__Output } from './hotswap/management/v1/CreateDeploymentRequest';
import type { CreateRouteRequest as _hotswap_management_v1_CreateRouteRequest, CreateRouteRequest__Output as _hotswap_management_v1_CreateRouteRequest__Output } from './hotswap/management/v1/CreateRouteRequest';
import type { DeleteBackendRequest as _hotswap_management_v1_DeleteBackendRequest, DeleteBackendRequest__Output as _hotswap_management_v1_DeleteBackendRequest__Output } from './hotswap/management/v1/DeleteBackendRequest';
import type { DeleteResponse as _hotswap_management_v1_DeleteResponse, DeleteResponse__Output as _hotswap_management_v1_DeleteResponse__Output } from './hotswap/management/v1/DeleteResponse';
import type { DeleteRouteRequest as _hotswap_management_v1_DeleteRouteRequest, DeleteRouteRequest__Output as _hotswap_management_v1_DeleteRouteRequest__Output } from './hotswap/management/v1/DeleteRouteRequest';
import type { Deployment as _hotswap_management_v1_Deployment, Deployment__Output as _hotswap_management_v1_Deployment__Output } from './hotswap/management/v1/Deployment';
import type { DeploymentDecisionRequest as _hotswap_management_v1_DeploymentDecisionRequest, DeploymentDecisionRequest__Output as _hotswap_management_v1_DeploymentDecisionRequest__Output } from './hotswap/management/v1/DeploymentDecisionRequest';
import type { DeploymentEvent as _hotswap_management_v1_DeploymentEvent, DeploymentEvent__Output as _hotswap_management_v1_DeploymentEvent__Output } from './hotswap/management/v1/DeploymentEvent';
import type { DeploymentMetrics as _hotswap_management_v1_DeploymentMetrics, DeploymentMetrics__Output as _hotswap_management_v1_DeploymentMetrics__Output } from './hotswap/management/v1/DeploymentMetrics';
import type { DeploymentReasonRequest as _hotswap_management_v1_DeploymentReasonRequest, DeploymentReasonRequest__Output as _hotswap_management_v1_DeploymentReasonRequest__Output } from './hotswap/management/v1/DeploymentReasonRequest';
import type { DeploymentServiceClient as _hotswap_management_v1_DeploymentServiceClient, DeploymentServiceDefinition as _hotswap_management_v1_DeploymentServiceDefinition } from './hotswap/management/v1/DeploymentService';
import type { DeploymentTransition as _hotswap_management_v1_DeploymentTransition, DeploymentTransition__Output as _hotswap_management_v1_DeploymentTransition__Output } from './hotswap/management/v1/DeploymentTransition';
import type { GetBackendRequest as _hotswap_management_v1_GetBackendRequest, GetBackendRequest__Output as _hotswap_management_v1_GetBackendRequest__Output } from './hotswap/management/v1/GetBackendRequest';
import type { GetDeploymentRequest as _hotswap_management_v1_GetDeploymentRequest, GetDeploymentRequest__Output as _hotswap_management_v1_GetDeploymentRequest__Output } from './hotswap/management/v1/GetDeploymentRequest';
import type { GetRouteRequest as _hotswap_management_v1_GetRouteRequest, GetRouteRequest__Output as _hotswap_management_v1_GetRouteRequest__Output } from './hotswap/management/v1/GetRouteRequest';
import type { ListBackendsRequest as _hotswap_management_v1_ListBackendsRequest, ListBackendsRequest__Output as _hotswap_management_v1_ListBackendsRequest__Output } from './hotswap/management/v1/ListBackendsRequest';
import type { ListBackendsResponse as _hotswap_management_v1_ListBackendsResponse, ListBackendsResponse__Output as _hotswap_management_v1_ListBackendsResponse__Output } from './hotswap/management/v1/ListBackendsResponse';
import type { ListDeploymentsRequest as _hotswap_management_v1_ListDeploymentsRequest, ListDeploymentsRequest__Output as _hotswap_management_v1_ListDeploymentsRequest__Output } from './hotswap/management/v1/ListDeploymentsRequest';
import type { ListDeploymentsResponse as _hotswap_management_v1_ListDeploymentsResponse, ListDeploymentsResponse__Output as _hotswap_management_v1_ListDeploymentsResponse__Output } from './hotswap/management/v1/ListDeploymentsResponse';
import type { ListRoutesRequest as _hotswap_management_v1_ListRoutesRequest, ListRoutesRequest__Output as _hotswap_management_v1_ListRoutesRequest__Output } from './hotswap/management/v1/ListRoutesRequest';
import type { ListRoutesResponse as _hotswap_management_v1_ListRoutesResponse, ListRoutesResponse__Output as _hotswap_management_v1_ListRoutesResponse__Output } from './hotswap/management/v1/ListRoutesResponse';
import type { PromoteDeploymentRequest as _hotswap_management_v1_PromoteDeploymentRequest, PromoteDeploymentRequest__Output as _hotswap_management_v1_PromoteDeploymentRequest__Output } from './hotswap/management/v1/PromoteDeploymentRequest';
import type { Route as _hotswap_management_v1_Route, Route__Output as _hotswap_management_v1_Route__Output } from './hotswap/management/v1/Route';
import type { RouteServiceClient as _hotswap_management_v1_RouteServiceClient, RouteServiceDefinition as _hotswap_management_v1_RouteServiceDefinition } from './hotswap/management/v1/RouteService';
import type { UpdateBackendRequest as _hotswap_management_v1_UpdateBackendRequest, UpdateBackendRequest__Output as _hotswap_management_v1_UpdateBackendRequest__Output } from './hotswap/management/v1/UpdateBackendRequest';
import type { UpdateRouteRequest as _hotswap_management_v1_UpdateRouteRequest, UpdateRouteRequest__Output as _hotswap_management_v1_UpdateRouteRequest__Output } from './hotswap/management/v1/UpdateRouteRequest';
import type { WatchDeploymentRequest as _hotswap_management_v1_WatchDeploymentRequest, WatchDeploymentRequest__Output as _hotswap_management_v1_WatchDeploymentRequest__Output } from './hotswap/management/v1/WatchDeploymentRequest';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  hotswap: {
    management: {
      v1: {
        Backend: MessageTypeDefinition<_hotswap_management_v1_Backend, _hotswap_management_v1_Backend__Output>
        BackendService: SubtypeConstructor<typeof grpc.Client, _hotswap_management_v1_BackendServiceClient> & { service: _hotswap_management_v1_BackendServiceDefinition }
        CreateBackendRequest: MessageTypeDefinition<_hotswap_management_v1_CreateBackendRequest, _hotswap_management_v1_CreateBackendRequest__Output>
        CreateDeploymentRequest: MessageTypeDefinition<_hotswap_management_v1_CreateDeploymentRequest, _hotswap_management_v1_CreateDeploymentRequest__Output>
        CreateRouteRequest: MessageTypeDefinition<_hotswap_management_v1_CreateRouteRequest, _hotswap_management_v1_CreateRouteRequest__Output>
        DeleteBackendRequest: MessageTypeDefinition<_hotswap_management_v1_DeleteBackendRequest, _hotswap_management_v1_DeleteBackendRequest__Output>
        DeleteResponse: MessageTypeDefinition<_hotswap_management_v1_DeleteResponse, _hotswap_management_v1_DeleteResponse__Output>
        DeleteRouteRequest: MessageTypeDefinition<_hotswap_management_v1_DeleteRouteRequest, _hotswap_management_v1_DeleteRouteRequest__Output>
        Deployment: MessageTypeDefinition<_hotswap_management_v1_Deployment, _hotswap_management_v1_Deployment__Output>
        DeploymentDecisionRequest: MessageTypeDefinition<_hotswap_management_v1_DeploymentDecisionRequest, _hotswap_management_v1_DeploymentDecisionRequest__Output>
        DeploymentEvent: MessageTypeDefinition<_hotswap_management_v1_DeploymentEvent, _hotswap_management_v1_DeploymentEvent__Output>
        DeploymentMetrics: MessageTypeDefinition<_hotswap_management_v1_DeploymentMetrics, _hotswap_management_v1_DeploymentMetrics__Output>
        DeploymentReasonRequest: MessageTypeDefinition<_hotswap_management_v1_DeploymentReasonRequest, _hotswap_management_v1_DeploymentReasonRequest__Output>
        DeploymentService: SubtypeConstructor<typeof grpc.Client, _hotswap_management_v1_DeploymentServiceClient> & { service: _hotswap_management_v1_DeploymentServiceDefinition }
        DeploymentTransition: MessageTypeDefinition<_hotswap_management_v1_DeploymentTransition, _hotswap_management_v1_DeploymentTransition__Output>
        GetBackendRequest: MessageTypeDefinition<_hotswap_management_v1_GetBackendRequest, _hotswap_management_v1_GetBackendRequest__Output>
        GetDeploymentRequest: MessageTypeDefinition<_hotswap_management_v1_GetDeploymentRequest, _hotswap_management_v1_GetDeploymentRequest__Output>
        GetRouteRequest: MessageTypeDefinition<_hotswap_management_v1_GetRouteRequest, _hotswap_management_v1_GetRouteRequest__Output>
        ListBackendsRequest: MessageTypeDefinition<_hotswap_management_v1_ListBackendsRequest, _hotswap_management_v1_ListBackendsRequest__Output>
        ListBackendsResponse: MessageTypeDefinition<_hotswap_management_v1_ListBackendsResponse, _hotswap_management_v1_ListBackendsResponse__Output>
        ListDeploymentsRequest: MessageTypeDefinition<_hotswap_management_v1_ListDeploymentsRequest, _hotswap_management_v1_ListDeploymentsRequest__Output>
        ListDeploymentsResponse: MessageTypeDefinition<_hotswap_management_v1_ListDeploymentsResponse, _hotswap_management_v1_ListDeploymentsResponse__Output>
        ListRoutesRequest: MessageTypeDefinition<_hotswap_management_v1_ListRoutesRequest, _hotswap_management_v1_ListRoutesRequest__Output>
        ListRoutesResponse: MessageTypeDefinition<_hotswap_management_v1_ListRoutesResponse, _hotswap_management_v1_ListRoutesResponse__Output>
        PromoteDeploymentRequest: MessageTypeDefinition<_hotswap_management_v1_PromoteDeploymentRequest, _hotswap_management_v1_PromoteDeploymentRequest__Output>
        Route: MessageTypeDefinition<_hotswap_management_v1_Route, _hotswap_management_v1_Route__Output>
        RouteService: SubtypeConstructor<typeof grpc.Client, _hotswap_management_v1_RouteServiceClient> & { service: _hotswap_management_v1_RouteServiceDefinition }
        UpdateBackendRequest: MessageTypeDefinition<_hotswap_management_v1_UpdateBackendRequest, _hotswap_management_v1_UpdateBackendRequest__Output>
        UpdateRouteRequest: MessageTypeDefinition<_hotswap_management_v1_UpdateRouteRequest, _hotswap_management_v1_UpdateRouteRequest__Output>
        WatchDeploymentRequest: MessageTypeDefinition<_hotswap_management_v1_WatchDeploymentRequest, _hotswap_management_v1_WatchDeploymentRequest__Output>
      }
    }
  }
}

