// Original file: proto/hotswap/management/v1/management.proto


export interface Deployment {
  'deploymentId'?: (string);
  'routeId'?: (string);
  'status'?: (string);
  'strategy'?: (string);
  'environment'?: (string);
  'currentPhaseIndex'?: (number);
  'targetVersionNumber'?: (number);
  'stableVersionNumber'?: (number);
  'deploymentJson'?: (string);
}

export interface Deployment__Output {
  'deploymentId': (string);
  'routeId': (string);
  'status': (string);
  'strategy': (string);
  'environment': (string);
  'currentPhaseIndex': (number);
  'targetVersionNumber': (number);
  'stableVersionNumber': (number);
  'deploymentJson': (string);
}
