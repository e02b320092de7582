// Original file: proto/hotswap/management/v1/management.proto

import type { Deployment as _hotswap_management_v1_Deployment, Deployment__Output as _hotswap_management_v1_Deployment__Output } from '../../../hotswap/management/v1/Deployment';
import type { DeploymentTransition as _hotswap_management_v1_DeploymentTransition, DeploymentTransition__Output as _hotswap_management_v1_DeploymentTransition__Output } from '../../../hotswap/management/v1/DeploymentTransition';
import type { DeploymentMetrics as _hotswap_management_v1_DeploymentMetrics, DeploymentMetrics__Output as _hotswap_management_v1_DeploymentMetrics__Output } from '../../../hotswap/management/v1/DeploymentMetrics';

export interface DeploymentEvent {
  'state'?: (_hotswap_management_v1_Deployment | null);
  'transition'?: (_hotswap_management_v1_DeploymentTransition | null);
  'metrics'?: (_hotswap_management_v1_DeploymentMetrics | null);
  'event'?: "state"|"transition"|"metrics";
}

export interface DeploymentEvent__Output {
  'state'?: (_hotswap_management_v1_Deployment__Output | null);
  'transition'?: (_hotswap_management_v1_DeploymentTransition__Output | null);
  'metrics'?: (_hotswap_management_v1_DeploymentMetrics__Output | null);
  'event'?: "state"|"transition"|"metrics";
}
