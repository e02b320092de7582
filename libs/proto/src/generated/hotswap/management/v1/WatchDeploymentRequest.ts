// Original file: proto/hotswap/management/v1/management.proto


export interface WatchDeploymentRequest {
  'deploymentId'?: (string);
  'metricsIntervalMs'?: (number);
  '_metricsIntervalMs'?: "metricsIntervalMs";
}

export interface WatchDeploymentRequest__Output {
  'deploymentId': (string);
  'metricsIntervalMs'?: (number);
  '_metricsIntervalMs'?: "metricsIntervalMs";
}
