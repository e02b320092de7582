// Original file: proto/hotswap/discovery/v1/discovery.proto

import type { Long } from '@grpc/proto-loader';

export interface Hello {
  'dataPlaneId'?: (string);
  'hostname'?: (string);
  'buildVersion'?: (string);
  'schemaVersion'?: (number);
  'activeVersion'?: (number | string | Long);
  'activeHash'?: (string);
  'features'?: (string)[];
}

export interface Hello__Output {
  'dataPlaneId': (string);
  'hostname': (string);
  'buildVersion': (string);
  'schemaVersion': (number);
  'activeVersion': (number);
  'activeHash': (string);
  'features': (string)[];
}
