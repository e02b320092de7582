// Original file: proto/hotswap/telemetry/v1/telemetry.proto


export interface BreakerCounts {
  'closed'?: (number);
  'open'?: (number);
  'halfOpen'?: (number);
}

export interface BreakerCounts__Output {
  'closed': (number);
  'open': (number);
  'halfOpen': (number);
}
