// Original file: proto/hotswap/management/v1/management.proto


export interface CreateRouteRequest {
  'configJson'?: (string);
}

export interface CreateRouteRequest__Output {
  'configJson': (string);
}
