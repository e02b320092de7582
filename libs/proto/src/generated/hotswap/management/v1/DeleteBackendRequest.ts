// Original file: proto/hotswap/management/v1/management.proto


export interface DeleteBackendRequest {
  'backendId'?: (string);
}

export interface DeleteBackendRequest__Output {
  'backendId': (string);
}
