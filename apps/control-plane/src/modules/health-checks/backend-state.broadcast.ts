import { toWireBreakerOverride, type BackendState, type ControlPlaneMessage } from '@hotswap/proto';
import type { StreamBroadcast } from '../fleet/stream-broadcast';
import type { BackendStateRecord } from './backend-state';
import type { BackendStateFeed } from './backend-state-feed';

/**
 * Backend states on the discovery streams: every known state (`full`) when a stream opens, then each change, built
 * once per change for all streams.
 */
export class BackendStateBroadcast implements StreamBroadcast {
  private readonly listeners = new Set<(message: ControlPlaneMessage) => void>();

  constructor(private readonly feed: BackendStateFeed) {
    feed.subscribe((changed) => {
      if (this.listeners.size === 0) return;
      const message = toBackendStatesMessage(changed, false);
      for (const listener of [...this.listeners]) listener(message);
    });
  }

  opening(): ControlPlaneMessage {
    return toBackendStatesMessage(this.feed.current(), true);
  }

  subscribe(listener: (message: ControlPlaneMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export function toBackendStatesMessage(states: readonly BackendStateRecord[], isFull: boolean): ControlPlaneMessage {
  return { backendStates: { full: isFull, states: states.map(toWireState) } };
}

function toWireState(state: BackendStateRecord): BackendState {
  return {
    backendId: state.backendId,
    healthStatus: state.healthStatus,
    breakerOverride: toWireBreakerOverride(state.forcedBreakerState),
    sequence: state.sequence,
    updatedAtMs: state.updatedAt.getTime(),
  };
}
