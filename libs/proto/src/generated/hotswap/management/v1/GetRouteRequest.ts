// Original file: proto/hotswap/management/v1/management.proto


export interface GetRouteRequest {
  'routeId'?: (string);
}

export interface GetRouteRequest__Output {
  'routeId': (string);
}
