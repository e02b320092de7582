// Original file: proto/hotswap/management/v1/management.proto


export interface GetBackendRequest {
  'backendId'?: (string);
}

export interface GetBackendRequest__Output {
  'backendId': (string);
}
