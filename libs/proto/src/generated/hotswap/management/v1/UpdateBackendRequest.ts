// Original file: proto/hotswap/management/v1/management.proto


export interface UpdateBackendRequest {
  'backendId'?: (string);
  'configJson'?: (string);
}

export interface UpdateBackendRequest__Output {
  'backendId': (string);
  'configJson': (string);
}
