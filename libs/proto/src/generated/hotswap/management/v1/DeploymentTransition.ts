// Original file: proto/hotswap/management/v1/management.proto


export interface DeploymentTransition {
  'event'?: (string);
  'fromStatus'?: (string);
  'toStatus'?: (string);
  'fromPhaseIndex'?: (number);
  'toPhaseIndex'?: (number);
  'reason'?: (string);
  'userId'?: (string);
  'at'?: (string);
}

export interface DeploymentTransition__Output {
  'event': (string);
  'fromStatus': (string);
  'toStatus': (string);
  'fromPhaseIndex': (number);
  'toPhaseIndex': (number);
  'reason': (string);
  'userId': (string);
  'at': (string);
}
