// Original file: proto/hotswap/management/v1/management.proto

import type { Backend as _hotswap_management_v1_Backend, Backend__Output as _hotswap_management_v1_Backend__Output } from '../../../hotswap/management/v1/Backend';

export interface ListBackendsResponse {
  'items'?: (_hotswap_management_v1_Backend)[];
  'total'?: (number);
  'limit'?: (number);
  'offset'?: (number);
}

export interface ListBackendsResponse__Output {
  'items': (_hotswap_management_v1_Backend__Output)[];
  'total': (number);
  'limit': (number);
  'offset': (number);
}
