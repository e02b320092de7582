// Original file: proto/hotswap/discovery/v1/discovery.proto

import type { Long } from '@grpc/proto-loader';

export interface Nack {
  'version'?: (number | string | Long);
  'hash'?: (string);
  'nonce'?: (string);
  'reasons'?: (string)[];
}

export interface Nack__Output {
  'version': (number);
  'hash': (string);
  'nonce': (string);
  'reasons': (string)[];
}
