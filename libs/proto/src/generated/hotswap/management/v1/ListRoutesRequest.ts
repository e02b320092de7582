// Original file: proto/hotswap/management/v1/management.proto


export interface ListRoutesRequest {
  'isEnabled'?: (boolean);
  'strategy'?: (string);
  'limit'?: (number);
  'offset'?: (number);
  '_isEnabled'?: "isEnabled";
  '_strategy'?: "strategy";
  '_limit'?: "limit";
  '_offset'?: "offset";
}

export interface ListRoutesRequest__Output {
  'isEnabled'?: (boolean);
  'strategy'?: (string);
  'limit'?: (number);
  'offset'?: (number);
  '_isEnabled'?: "isEnabled";
  '_strategy'?: "strategy";
  '_limit'?: "limit";
  '_offset'?: "offset";
}
