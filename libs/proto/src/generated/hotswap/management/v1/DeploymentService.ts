// Original file: proto/hotswap/management/v1/management.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CreateDeploymentRequest as _hotswap_management_v1_CreateDeploymentRequest, CreateDeploymentRequest__Output as _hotswap_management_v1_CreateDeploymentRequest__Output } from '../../../hotswap/management/v1/CreateDeploymentRequest';
import type { Deployment as _hotswap_management_v1_Deployment, Deployment__Output as _hotswap_management_v1_Deployment__Output } from '../../../hotswap/management/v1/Deployment';
import type { DeploymentDecisionRequest as _hotswap_management_v1_DeploymentDecisionRequest, DeploymentDecisionRequest__Output as _hotswap_management_v1_DeploymentDecisionRequest__Output } from '../../../hotswap/management/v1/DeploymentDecisionRequest';
import type { DeploymentEvent as _hotswap_management_v1_DeploymentEvent, DeploymentEvent__Output as _hotswap_management_v1_DeploymentEvent__Output } from '../../../hotswap/management/v1/DeploymentEvent';
import type { DeploymentReasonRequest as _hotswap_management_v1_DeploymentReasonRequest, DeploymentReasonRequest__Output as _hotswap_management_v1_DeploymentReasonRequest__Output } from '../../../hotswap/management/v1/DeploymentReasonRequest';
import type { GetDeploymentRequest as _hotswap_management_v1_GetDeploymentRequest, GetDeploymentRequest__Output as _hotswap_management_v1_GetDeploymentRequest__Output } from '../../../hotswap/management/v1/GetDeploymentRequest';
import type { ListDeploymentsRequest as _hotswap_management_v1_ListDeploymentsRequest, ListDeploymentsRequest__Output as _hotswap_management_v1_ListDeploymentsRequest__Output } from '../../../hotswap/management/v1/ListDeploymentsRequest';
import type { ListDeploymentsResponse as _hotswap_management_v1_ListDeploymentsResponse, ListDeploymentsResponse__Output as _hotswap_management_v1_ListDeploymentsResponse__Output } from '../../../hotswap/management/v1/ListDeploymentsResponse';
import type { PromoteDeploymentRequest as _hotswap_management_v1_PromoteDeploymentRequest, PromoteDeploymentRequest__Output as _hotswap_management_v1_PromoteDeploymentRequest__Output } from '../../../hotswap/management/v1/PromoteDeploymentRequest';
import type { WatchDeploymentRequest as _hotswap_management_v1_WatchDeploymentRequest, WatchDeploymentRequest__Output as _hotswap_management_v1_WatchDeploymentRequest__Output } from '../../../hotswap/management/v1/WatchDeploymentRequest';

export interface DeploymentServiceClient extends grpc.Client {
  ApproveDeployment(argument: _hotswap_management_v1_DeploymentDecisionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  ApproveDeployment(argument: _hotswap_management_v1_DeploymentDecisionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  ApproveDeployment(argument: _hotswap_management_v1_DeploymentDecisionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  ApproveDeployment(argument: _hotswap_management_v1_DeploymentDecisionRequest, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  approveDeployment(argument: _hotswap_management_v1_DeploymentDecisionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  approveDeployment(argument: _hotswap_management_v1_DeploymentDecisionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  approveDeployment(argument: _hotswap_management_v1_DeploymentDecisionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  approveDeployment(argument: _hotswap_management_v1_DeploymentDecisionRequest, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  
  CreateDeployment(argument: _hotswap_management_v1_CreateDeploymentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  CreateDeployment(argument: _hotswap_management_v1_CreateDeploymentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  CreateDeployment(argument: _hotswap_management_v1_CreateDeploymentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  CreateDeployment(argument: _hotswap_management_v1_CreateDeploymentRequest, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  createDeployment(argument: _hotswap_management_v1_CreateDeploymentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  createDeployment(argument: _hotswap_management_v1_CreateDeploymentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  createDeployment(argument: _hotswap_management_v1_CreateDeploymentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  createDeployment(argument: _hotswap_management_v1_CreateDeploymentRequest, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  
  GetDeployment(argument: _hotswap_management_v1_GetDeploymentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  GetDeployment(argument: _hotswap_management_v1_GetDeploymentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  GetDeployment(argument: _hotswap_management_v1_GetDeploymentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  GetDeployment(argument: _hotswap_management_v1_GetDeploymentRequest, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  getDeployment(argument: _hotswap_management_v1_GetDeploymentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  getDeployment(argument: _hotswap_management_v1_GetDeploymentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  getDeployment(argument: _hotswap_management_v1_GetDeploymentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  getDeployment(argument: _hotswap_management_v1_GetDeploymentRequest, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  
  ListDeployments(argument: _hotswap_management_v1_ListDeploymentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_ListDeploymentsResponse__Output>): grpc.ClientUnaryCall;
  ListDeployments(argument: _hotswap_management_v1_ListDeploymentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_ListDeploymentsResponse__Output>): grpc.ClientUnaryCall;
  ListDeployments(argument: _hotswap_management_v1_ListDeploymentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_ListDeploymentsResponse__Output>): grpc.ClientUnaryCall;
  ListDeployments(argument: _hotswap_management_v1_ListDeploymentsRequest, callback: grpc.requestCallback<_hotswap_management_v1_ListDeploymentsResponse__Output>): grpc.ClientUnaryCall;
  listDeployments(argument: _hotswap_management_v1_ListDeploymentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_ListDeploymentsResponse__Output>): grpc.ClientUnaryCall;
  listDeployments(argument: _hotswap_management_v1_ListDeploymentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_ListDeploymentsResponse__Output>): grpc.ClientUnaryCall;
  listDeployments(argument: _hotswap_management_v1_ListDeploymentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_ListDeploymentsResponse__Output>): grpc.ClientUnaryCall;
  listDeployments(argument: _hotswap_management_v1_ListDeploymentsRequest, callback: grpc.requestCallback<_hotswap_management_v1_ListDeploymentsResponse__Output>): grpc.ClientUnaryCall;
  
  PauseDeployment(argument: _hotswap_management_v1_DeploymentReasonRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  PauseDeployment(argument: _hotswap_management_v1_DeploymentReasonRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  PauseDeployment(argument: _hotswap_management_v1_DeploymentReasonRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  PauseDeployment(argument: _hotswap_management_v1_DeploymentReasonRequest, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  pauseDeployment(argument: _hotswap_management_v1_DeploymentReasonRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  pauseDeployment(argument: _hotswap_management_v1_DeploymentReasonRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  pauseDeployment(argument: _hotswap_management_v1_DeploymentReasonRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  pauseDeployment(argument: _hotswap_management_v1_DeploymentReasonRequest, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  
  PromoteDeployment(argument: _hotswap_management_v1_PromoteDeploymentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  PromoteDeployment(argument: _hotswap_management_v1_PromoteDeploymentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  PromoteDeployment(argument: _hotswap_management_v1_PromoteDeploymentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  PromoteDeployment(argument: _hotswap_management_v1_PromoteDeploymentRequest, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  promoteDeployment(argument: _hotswap_management_v1_PromoteDeploymentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  promoteDeployment(argument: _hotswap_management_v1_PromoteDeploymentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  promoteDeployment(argument: _hotswap_management_v1_PromoteDeploymentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  promoteDeployment(argument: _hotswap_management_v1_PromoteDeploymentRequest, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  
  RejectDeployment(argument: _hotswap_management_v1_DeploymentDecisionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  RejectDeployment(argument: _hotswap_management_v1_DeploymentDecisionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  RejectDeployment(argument: _hotswap_management_v1_DeploymentDecisionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  RejectDeployment(argument: _hotswap_management_v1_DeploymentDecisionRequest, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  rejectDeployment(argument: _hotswap_management_v1_DeploymentDecisionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  rejectDeployment(argument: _hotswap_management_v1_DeploymentDecisionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  rejectDeployment(argument: _hotswap_management_v1_DeploymentDecisionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  rejectDeployment(argument: _hotswap_management_v1_DeploymentDecisionRequest, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  
  ResumeDeployment(argument: _hotswap_management_v1_GetDeploymentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  ResumeDeployment(argument: _hotswap_management_v1_GetDeploymentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  ResumeDeployment(argument: _hotswap_management_v1_GetDeploymentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  ResumeDeployment(argument: _hotswap_management_v1_GetDeploymentRequest, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  resumeDeployment(argument: _hotswap_management_v1_GetDeploymentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  resumeDeployment(argument: _hotswap_management_v1_GetDeploymentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  resumeDeployment(argument: _hotswap_management_v1_GetDeploymentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  resumeDeployment(argument: _hotswap_management_v1_GetDeploymentRequest, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  
  RollbackDeployment(argument: _hotswap_management_v1_DeploymentReasonRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  RollbackDeployment(argument: _hotswap_management_v1_DeploymentReasonRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  RollbackDeployment(argument: _hotswap_management_v1_DeploymentReasonRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  RollbackDeployment(argument: _hotswap_management_v1_DeploymentReasonRequest, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  rollbackDeployment(argument: _hotswap_management_v1_DeploymentReasonRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  rollbackDeployment(argument: _hotswap_management_v1_DeploymentReasonRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  rollbackDeployment(argument: _hotswap_management_v1_DeploymentReasonRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  rollbackDeployment(argument: _hotswap_management_v1_DeploymentReasonRequest, callback: grpc.requestCallback<_hotswap_management_v1_Deployment__Output>): grpc.ClientUnaryCall;
  
  WatchDeployment(argument: _hotswap_management_v1_WatchDeploymentRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_hotswap_management_v1_DeploymentEvent__Output>;
  WatchDeployment(argument: _hotswap_management_v1_WatchDeploymentRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_hotswap_management_v1_DeploymentEvent__Output>;
  watchDeployment(argument: _hotswap_management_v1_WatchDeploymentRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_hotswap_management_v1_DeploymentEvent__Output>;
  watchDeployment(argument: _hotswap_management_v1_WatchDeploymentRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_hotswap_management_v1_DeploymentEvent__Output>;
  
}

export interface DeploymentServiceHandlers extends grpc.UntypedServiceImplementation {
  ApproveDeployment: grpc.handleUnaryCall<_hotswap_management_v1_DeploymentDecisionRequest__Output, _hotswap_management_v1_Deployment>;
  
  CreateDeployment: grpc.handleUnaryCall<_hotswap_management_v1_CreateDeploymentRequest__Output, _hotswap_management_v1_Deployment>;
  
  GetDeployment: grpc.handleUnaryCall<_hotswap_management_v1_GetDeploymentRequest__Output, _hotswap_management_v1_Deployment>;
  
  ListDeployments: grpc.handleUnaryCall<_hotswap_management_v1_ListDeploymentsRequest__Output, _hotswap_management_v1_ListDeploymentsResponse>;
  
  PauseDeployment: grpc.handleUnaryCall<_hotswap_management_v1_DeploymentReasonRequest__Output, _hotswap_management_v1_Deployment>;
  
  PromoteDeployment: grpc.handleUnaryCall<_hotswap_management_v1_PromoteDeploymentRequest__Output, _hotswap_management_v1_Deployment>;
  
  RejectDeployment: grpc.handleUnaryCall<_hotswap_management_v1_DeploymentDecisionRequest__Output, _hotswap_management_v1_Deployment>;
  
  ResumeDeployment: grpc.handleUnaryCall<_hotswap_management_v1_GetDeploymentRequest__Output, _hotswap_management_v1_Deployment>;
  
  RollbackDeployment: grpc.handleUnaryCall<_hotswap_management_v1_DeploymentReasonRequest__Output, _hotswap_management_v1_Deployment>;
  
  WatchDeployment: grpc.handleServerStreamingCall<_hotswap_management_v1_WatchDeploymentRequest__Output, _hotswap_management_v1_DeploymentEvent>;
  
}

export interface DeploymentServiceDefinition extends grpc.ServiceDefinition {
  ApproveDeployment: MethodDefinition<_hotswap_management_v1_DeploymentDecisionRequest, _hotswap_management_v1_Deployment, _hotswap_management_v1_DeploymentDecisionRequest__Output, _hotswap_management_v1_Deployment__Output>
  CreateDeployment: MethodDefinition<_hotswap_management_v1_CreateDeploymentRequest, _hotswap_management_v1_Deployment, _hotswap_management_v1_CreateDeploymentRequest__Output, _hotswap_management_v1_Deployment__Output>
  GetDeployment: MethodDefinition<_hotswap_management_v1_GetDeploymentRequest, _hotswap_management_v1_Deployment, _hotswap_management_v1_GetDeploymentRequest__Output, _hotswap_management_v1_Deployment__Output>
  ListDeployments: MethodDefinition<_hotswap_management_v1_ListDeploymentsRequest, _hotswap_management_v1_ListDeploymentsResponse, _hotswap_management_v1_ListDeploymentsRequest__Output, _hotswap_management_v1_ListDeploymentsResponse__Output>
  PauseDeployment: MethodDefinition<_hotswap_management_v1_DeploymentReasonRequest, _hotswap_management_v1_Deployment, _hotswap_management_v1_DeploymentReasonRequest__Output, _hotswap_management_v1_Deployment__Output>
  PromoteDeployment: MethodDefinition<_hotswap_management_v1_PromoteDeploymentRequest, _hotswap_management_v1_Deployment, _hotswap_management_v1_PromoteDeploymentRequest__Output, _hotswap_management_v1_Deployment__Output>
  RejectDeployment: MethodDefinition<_hotswap_management_v1_DeploymentDecisionRequest, _hotswap_management_v1_Deployment, _hotswap_management_v1_DeploymentDecisionRequest__Output, _hotswap_management_v1_Deployment__Output>
  ResumeDeployment: MethodDefinition<_hotswap_management_v1_GetDeploymentRequest, _hotswap_management_v1_Deployment, _hotswap_management_v1_GetDeploymentRequest__Output, _hotswap_management_v1_Deployment__Output>
  RollbackDeployment: MethodDefinition<_hotswap_management_v1_DeploymentReasonRequest, _hotswap_management_v1_Deployment, _hotswap_management_v1_DeploymentReasonRequest__Output, _hotswap_management_v1_Deployment__Output>
  WatchDeployment: MethodDefinition<_hotswap_management_v1_WatchDeploymentRequest, _hotswap_management_v1_DeploymentEvent, _hotswap_management_v1_WatchDeploymentRequest__Output, _hotswap_management_v1_DeploymentEvent__Output>
}
