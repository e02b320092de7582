export {
  loadDiscoveryProto,
  loadTelemetryProto,
  loadManagementProto,
  GRPC_CHANNEL_OPTIONS,
  GRPC_SERVER_OPTIONS,
} from './load';
export {
  SNAPSHOT_ENCODING,
  SNAPSHOT_DELTA_ENCODING,
  encodeSnapshotPayload,
  decodeSnapshotPayload,
  type DecodedSnapshotPayload,
} from './snapshot-payload';
export type { ProtoGrpcType as DiscoveryProto } from './generated/discovery';
export type { ConfigDiscoveryClient, ConfigDiscoveryHandlers } from './generated/hotswap/discovery/v1/ConfigDiscovery';
export type { DataPlaneMessage, DataPlaneMessage__Output } from './generated/hotswap/discovery/v1/DataPlaneMessage';
export type {
  ControlPlaneMessage,
  ControlPlaneMessage__Output,
} from './generated/hotswap/discovery/v1/ControlPlaneMessage';
export type { Hello__Output } from './generated/hotswap/discovery/v1/Hello';
export type { Ack__Output } from './generated/hotswap/discovery/v1/Ack';
export type { Nack__Output } from './generated/hotswap/discovery/v1/Nack';
export type { Heartbeat__Output } from './generated/hotswap/discovery/v1/Heartbeat';
export { DATA_PLANE_AUTH_METADATA_KEY, bearerCredential, tokenOfBearerCredential } from './data-plane-auth';
export { DISCOVERY_FEATURES_METADATA_KEY, HEARTBEAT_FEATURE, SNAPSHOT_DELTA_FEATURE } from './discovery-features';
export type { Snapshot__Output } from './generated/hotswap/discovery/v1/Snapshot';
export type { BackendStates, BackendStates__Output } from './generated/hotswap/discovery/v1/BackendStates';
export type { BackendState, BackendState__Output } from './generated/hotswap/discovery/v1/BackendState';
export { toWireBreakerOverride, fromWireBreakerOverride, type ForcedBreakerState } from './breaker-override';
export type { ProtoGrpcType as TelemetryProto } from './generated/telemetry';
export type { TelemetryClient, TelemetryHandlers } from './generated/hotswap/telemetry/v1/Telemetry';
export type { TelemetryReport, TelemetryReport__Output } from './generated/hotswap/telemetry/v1/TelemetryReport';
export type { TelemetryAck, TelemetryAck__Output } from './generated/hotswap/telemetry/v1/TelemetryAck';
export type { TrafficSeries, TrafficSeries__Output } from './generated/hotswap/telemetry/v1/TrafficSeries';
export type { BackendStatus, BackendStatus__Output } from './generated/hotswap/telemetry/v1/BackendStatus';
export type { BreakerCounts, BreakerCounts__Output } from './generated/hotswap/telemetry/v1/BreakerCounts';
export type {
  RateLimitRejections,
  RateLimitRejections__Output,
} from './generated/hotswap/telemetry/v1/RateLimitRejections';
export {
  toWireTrafficVariant,
  fromWireTrafficVariant,
  toWireBreakerState,
  fromWireBreakerState,
  type WireTelemetryVariant,
  type WireBreakerState,
} from './telemetry-wire';
export type { ProtoGrpcType as ManagementProto } from './generated/management';
export type { RouteServiceClient, RouteServiceHandlers } from './generated/hotswap/management/v1/RouteService';
export type { BackendServiceClient, BackendServiceHandlers } from './generated/hotswap/management/v1/BackendService';
export type {
  DeploymentServiceClient,
  DeploymentServiceHandlers,
} from './generated/hotswap/management/v1/DeploymentService';
export type {
  Route as ManagementRoute,
  Route__Output as ManagementRoute__Output,
} from './generated/hotswap/management/v1/Route';
export type {
  Backend as ManagementBackend,
  Backend__Output as ManagementBackend__Output,
} from './generated/hotswap/management/v1/Backend';
export type {
  Deployment as ManagementDeployment,
  Deployment__Output as ManagementDeployment__Output,
} from './generated/hotswap/management/v1/Deployment';
export type { DeploymentEvent, DeploymentEvent__Output } from './generated/hotswap/management/v1/DeploymentEvent';
export type {
  DeploymentTransition,
  DeploymentTransition__Output,
} from './generated/hotswap/management/v1/DeploymentTransition';
