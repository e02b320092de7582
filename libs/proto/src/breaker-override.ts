import type { BreakerOverride__Output } from './generated/hotswap/discovery/v1/BreakerOverride';

/** An Admin's forced circuit-breaker state as both planes speak of it: open, closed, or `null` (automatic). */
export type ForcedBreakerState = 'open' | 'closed' | null;

/** The wire value of a forced breaker state. */
export function toWireBreakerOverride(state: ForcedBreakerState): BreakerOverride__Output {
  if (state === 'open') return 'BREAKER_OVERRIDE_OPEN';
  if (state === 'closed') return 'BREAKER_OVERRIDE_CLOSED';
  return 'BREAKER_OVERRIDE_NONE';
}

/** The forced breaker state of a wire value; `undefined` for a value this build does not know. */
export function fromWireBreakerOverride(value: string): ForcedBreakerState | undefined {
  switch (value) {
    case 'BREAKER_OVERRIDE_NONE':
      return null;
    case 'BREAKER_OVERRIDE_OPEN':
      return 'open';
    case 'BREAKER_OVERRIDE_CLOSED':
      return 'closed';
    default:
      return undefined;
  }
}
