import type { TrafficVariant__Output } from './generated/hotswap/telemetry/v1/TrafficVariant';
import type { BreakerState__Output } from './generated/hotswap/telemetry/v1/BreakerState';

/** A traffic variant as both planes speak of it (libs/config-snapshot TELEMETRY_VARIANTS). */
export type WireTelemetryVariant = 'stable' | 'canary' | 'preview';

/** A circuit breaker's state as both planes speak of it. */
export type WireBreakerState = 'closed' | 'open' | 'halfOpen';

const VARIANT_TO_WIRE: Record<WireTelemetryVariant, TrafficVariant__Output> = {
  stable: 'TRAFFIC_VARIANT_STABLE',
  canary: 'TRAFFIC_VARIANT_CANARY',
  preview: 'TRAFFIC_VARIANT_PREVIEW',
};

const BREAKER_TO_WIRE: Record<WireBreakerState, BreakerState__Output> = {
  closed: 'BREAKER_STATE_CLOSED',
  open: 'BREAKER_STATE_OPEN',
  halfOpen: 'BREAKER_STATE_HALF_OPEN',
};

/** The wire value of a traffic variant. */
export function toWireTrafficVariant(variant: WireTelemetryVariant): TrafficVariant__Output {
  return VARIANT_TO_WIRE[variant];
}

/** The traffic variant of a wire value; `undefined` for a value this build does not know. */
export function fromWireTrafficVariant(value: string): WireTelemetryVariant | undefined {
  switch (value) {
    case 'TRAFFIC_VARIANT_STABLE':
      return 'stable';
    case 'TRAFFIC_VARIANT_CANARY':
      return 'canary';
    case 'TRAFFIC_VARIANT_PREVIEW':
      return 'preview';
    default:
      return undefined;
  }
}

/** The wire value of a breaker state. */
export function toWireBreakerState(state: WireBreakerState): BreakerState__Output {
  return BREAKER_TO_WIRE[state];
}

/** The breaker state of a wire value; `undefined` for a value this build does not know. */
export function fromWireBreakerState(value: string): WireBreakerState | undefined {
  switch (value) {
    case 'BREAKER_STATE_CLOSED':
      return 'closed';
    case 'BREAKER_STATE_OPEN':
      return 'open';
    case 'BREAKER_STATE_HALF_OPEN':
      return 'halfOpen';
    default:
      return undefined;
  }
}
