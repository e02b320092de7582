// Original file: proto/hotswap/management/v1/management.proto


export interface UpdateRouteRequest {
  'routeId'?: (string);
  'configJson'?: (string);
}

export interface UpdateRouteRequest__Output {
  'routeId': (string);
  'configJson': (string);
}
