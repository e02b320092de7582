// Original file: proto/hotswap/management/v1/management.proto


export interface DeleteRouteRequest {
  'routeId'?: (string);
}

export interface DeleteRouteRequest__Output {
  'routeId': (string);
}
