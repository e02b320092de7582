// Original file: proto/hotswap/management/v1/management.proto


export interface DeploymentMetrics {
  'shouldRollback'?: (boolean);
  'metricsJson'?: (string);
}

export interface DeploymentMetrics__Output {
  'shouldRollback': (boolean);
  'metricsJson': (string);
}
