// Original file: proto/hotswap/discovery/v1/discovery.proto

export const BreakerOverride = {
  BREAKER_OVERRIDE_NONE: 'BREAKER_OVERRIDE_NONE',
  BREAKER_OVERRIDE_OPEN: 'BREAKER_OVERRIDE_OPEN',
  BREAKER_OVERRIDE_CLOSED: 'BREAKER_OVERRIDE_CLOSED',
} as const;

export type BreakerOverride =
  | 'BREAKER_OVERRIDE_NONE'
  | 0
  | 'BREAKER_OVERRIDE_OPEN'
  | 1
  | 'BREAKER_OVERRIDE_CLOSED'
  | 2

export type BreakerOverride__Output = typeof BreakerOverride[keyof typeof BreakerOverride]
