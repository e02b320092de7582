// Original file: proto/hotswap/management/v1/management.proto


export interface DeploymentReasonRequest {
  'deploymentId'?: (string);
  'reason'?: (string);
  '_reason'?: "reason";
}

export interface DeploymentReasonRequest__Output {
  'deploymentId': (string);
  'reason'?: (string);
  '_reason'?: "reason";
}
