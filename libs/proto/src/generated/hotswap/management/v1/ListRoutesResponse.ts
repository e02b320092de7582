// Original file: proto/hotswap/management/v1/management.proto

import type { Route as _hotswap_management_v1_Route, Route__Output as _hotswap_management_v1_Route__Output } from '../../../hotswap/management/v1/Route';

export interface ListRoutesResponse {
  'items'?: (_hotswap_management_v1_Route)[];
  'total'?: (number);
  'limit'?: (number);
  'offset'?: (number);
}

export interface ListRoutesResponse__Output {
  'items': (_hotswap_management_v1_Route__Output)[];
  'total': (number);
  'limit': (number);
  'offset': (number);
}
