// Original file: proto/hotswap/management/v1/management.proto


export interface ListBackendsRequest {
  'isEnabled'?: (boolean);
  'healthStatus'?: (string);
  'limit'?: (number);
  'offset'?: (number);
  '_isEnabled'?: "isEnabled";
  '_healthStatus'?: "healthStatus";
  '_limit'?: "limit";
  '_offset'?: "offset";
}

export interface ListBackendsRequest__Output {
  'isEnabled'?: (boolean);
  'healthStatus'?: (string);
  'limit'?: (number);
  'offset'?: (number);
  '_isEnabled'?: "isEnabled";
  '_healthStatus'?: "healthStatus";
  '_limit'?: "limit";
  '_offset'?: "offset";
}
