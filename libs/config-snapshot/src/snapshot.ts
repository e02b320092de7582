import { hashSnapshotContent } from './hash';
import {
  SNAPSHOT_SCHEMA_VERSION,
  type BackendConfig,
  type ConfigSnapshot,
  type GlobalSettings,
  type RouteConfig,
  type SnapshotContent,
} from './schema';

export interface SnapshotIdentity {
  version: number;
  previousVersion: number | null;
  auditId: string | null;
  createdAt: string;
}

/**
 * Builds a snapshot from complete route and backend configs: sorts them by id, so that equal configuration gives
 * an equal hash, and stamps the hash. The result is frozen.
 */
export function buildSnapshot(
  identity: SnapshotIdentity,
  content: { settings: GlobalSettings; routes: readonly RouteConfig[]; backends: readonly BackendConfig[] },
  /** `hashSnapshotContent`, or an equal function (SnapshotValidator.hashOf). */
  hashOf: (content: SnapshotContent) => string = hashSnapshotContent,
): ConfigSnapshot {
  const routes = [...content.routes].sort((a, b) => compare(a.routeId, b.routeId));
  const backends = [...content.backends].sort((a, b) => compare(a.backendId, b.backendId));
  const body: SnapshotContent = {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    settings: content.settings,
    routes,
    backends,
  };
  return deepFreeze({ ...identity, ...body, hash: hashOf(body) });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Freezes an object graph in place and returns it. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const entry of Object.values(value)) deepFreeze(entry);
  }
  return value;
}
