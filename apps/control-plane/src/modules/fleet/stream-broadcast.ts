import type { ControlPlaneMessage } from '@hotswap/proto';

/**
 * Messages other than snapshots that every discovery stream carries (backend states from the health checks…):
 * an opening message for a stream that just registered, sent right after its first snapshot offer, then every
 * broadcast. Registered with `DiscoveryService.addBroadcast` by the module that owns the information.
 */
export interface StreamBroadcast {
  /** What a newly registered stream gets first; undefined for nothing. */
  opening(): ControlPlaneMessage | undefined;
  /** Calls `listener` with every later message for all streams; returns the unsubscribe function. */
  subscribe(listener: (message: ControlPlaneMessage) => void): () => void;
}
