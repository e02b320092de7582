// Original file: proto/hotswap/management/v1/management.proto


export interface CreateDeploymentRequest {
  'requestJson'?: (string);
}

export interface CreateDeploymentRequest__Output {
  'requestJson': (string);
}
