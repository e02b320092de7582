// Original file: proto/hotswap/management/v1/management.proto


export interface ListDeploymentsRequest {
  'routeId'?: (string);
  'status'?: (string);
  'limit'?: (number);
  'offset'?: (number);
  '_routeId'?: "routeId";
  '_status'?: "status";
  '_limit'?: "limit";
  '_offset'?: "offset";
}

export interface ListDeploymentsRequest__Output {
  'routeId'?: (string);
  'status'?: (string);
  'limit'?: (number);
  'offset'?: (number);
  '_routeId'?: "routeId";
  '_status'?: "status";
  '_limit'?: "limit";
  '_offset'?: "offset";
}
