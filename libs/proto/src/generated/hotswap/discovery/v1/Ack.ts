// Original file: proto/hotswap/discovery/v1/discovery.proto

import type { Long } from '@grpc/proto-loader';

export interface Ack {
  'version'?: (number | string | Long);
  'hash'?: (string);
  'nonce'?: (string);
  'applyMs'?: (number | string);
}

export interface Ack__Output {
  'version': (number);
  'hash': (string);
  'nonce': (string);
  'applyMs': (number);
}
