// Original file: proto/hotswap/management/v1/management.proto


export interface GetDeploymentRequest {
  'deploymentId'?: (string);
}

export interface GetDeploymentRequest__Output {
  'deploymentId': (string);
}
