// Original file: proto/hotswap/management/v1/management.proto


export interface CreateBackendRequest {
  'configJson'?: (string);
}

export interface CreateBackendRequest__Output {
  'configJson': (string);
}
