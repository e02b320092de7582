/**
 * The initial-metadata key by which the control plane lists what its ConfigDiscovery stream understands beyond the
 * first version of the protocol (comma-separated). A data plane uses a feature only when it is listed, so a newer
 * data plane can talk to an older control plane during a rolling upgrade.
 */
export const DISCOVERY_FEATURES_METADATA_KEY = 'hotswap-discovery-features';

/** The control plane reads Heartbeat messages (and compares their hash). */
export const HEARTBEAT_FEATURE = 'heartbeat';

/** Listed in a data plane's Hello: it can rebuild a snapshot from a delta on the one it runs. */
export const SNAPSHOT_DELTA_FEATURE = 'snapshot-delta';
