// Original file: proto/hotswap/management/v1/management.proto


export interface Route {
  'routeId'?: (string);
  'name'?: (string);
  'liveVersionNumber'?: (number);
  'latestVersionNumber'?: (number);
  'isEnabled'?: (boolean);
  'routeJson'?: (string);
}

export interface Route__Output {
  'routeId': (string);
  'name': (string);
  'liveVersionNumber': (number);
  'latestVersionNumber': (number);
  'isEnabled': (boolean);
  'routeJson': (string);
}
