// Original file: proto/hotswap/management/v1/management.proto


export interface DeploymentDecisionRequest {
  'deploymentId'?: (string);
  'comment'?: (string);
  '_comment'?: "comment";
}

export interface DeploymentDecisionRequest__Output {
  'deploymentId': (string);
  'comment'?: (string);
  '_comment'?: "comment";
}
