// Original file: proto/hotswap/telemetry/v1/telemetry.proto

export const BreakerState = {
  BREAKER_STATE_CLOSED: 'BREAKER_STATE_CLOSED',
  BREAKER_STATE_OPEN: 'BREAKER_STATE_OPEN',
  BREAKER_STATE_HALF_OPEN: 'BREAKER_STATE_HALF_OPEN',
} as const;

export type BreakerState =
  | 'BREAKER_STATE_CLOSED'
  | 0
  | 'BREAKER_STATE_OPEN'
  | 1
  | 'BREAKER_STATE_HALF_OPEN'
  | 2

export type BreakerState__Output = typeof BreakerState[keyof typeof BreakerState]
