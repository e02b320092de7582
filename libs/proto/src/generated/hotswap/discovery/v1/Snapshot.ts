// Original file: proto/hotswap/discovery/v1/discovery.proto

import type { Long } from '@grpc/proto-loader';

export interface Snapshot {
  'version'?: (number | string | Long);
  'hash'?: (string);
  'nonce'?: (string);
  'schemaVersion'?: (number);
  'encoding'?: (string);
  'payload'?: (Buffer | Uint8Array | string);
}

export interface Snapshot__Output {
  'version': (number);
  'hash': (string);
  'nonce': (string);
  'schemaVersion': (number);
  'encoding': (string);
  'payload': (Buffer);
}
