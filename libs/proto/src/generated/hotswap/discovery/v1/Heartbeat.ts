// Original file: proto/hotswap/discovery/v1/discovery.proto

import type { Long } from '@grpc/proto-loader';

export interface Heartbeat {
  'activeVersion'?: (number | string | Long);
  'activeHash'?: (string);
}

export interface Heartbeat__Output {
  'activeVersion': (number);
  'activeHash': (string);
}
