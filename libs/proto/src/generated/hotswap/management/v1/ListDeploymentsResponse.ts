// Original file: proto/hotswap/management/v1/management.proto

import type { Deployment as _hotswap_management_v1_Deployment, Deployment__Output as _hotswap_management_v1_Deployment__Output } from '../../../hotswap/management/v1/Deployment';

export interface ListDeploymentsResponse {
  'items'?: (_hotswap_management_v1_Deployment)[];
  'total'?: (number);
  'limit'?: (number);
  'offset'?: (number);
}

export interface ListDeploymentsResponse__Output {
  'items': (_hotswap_management_v1_Deployment__Output)[];
  'total': (number);
  'limit': (number);
  'offset': (number);
}
