// Original file: proto/hotswap/management/v1/management.proto


export interface DeleteResponse {
}

export interface DeleteResponse__Output {
}
