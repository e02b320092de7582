// Original file: proto/hotswap/management/v1/management.proto


export interface PromoteDeploymentRequest {
  'deploymentId'?: (string);
  'targetPercentage'?: (number);
  '_targetPercentage'?: "targetPercentage";
}

export interface PromoteDeploymentRequest__Output {
  'deploymentId': (string);
  'targetPercentage'?: (number);
  '_targetPercentage'?: "targetPercentage";
}
