// Original file: proto/hotswap/management/v1/management.proto


export interface Backend {
  'backendId'?: (string);
  'name'?: (string);
  'url'?: (string);
  'isEnabled'?: (boolean);
  'healthStatus'?: (string);
  'backendJson'?: (string);
}

export interface Backend__Output {
  'backendId': (string);
  'name': (string);
  'url': (string);
  'isEnabled': (boolean);
  'healthStatus': (string);
  'backendJson': (string);
}
