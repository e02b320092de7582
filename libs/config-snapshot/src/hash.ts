import { createHash, type Hash } from 'node:crypto';
import type { RouteConfig, SnapshotContent } from './schema';

/** JSON with object keys sorted at every depth: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const entry = (value as Record<string, unknown>)[key];
      if (entry !== undefined) out[key] = sortKeys(entry);
    }
    return out;
  }
  return value;
}

/**
 * The sha256 hex digest of a snapshot's content (schema version, settings, routes, backends). Identity fields
 * (version, previous version, audit id, creation time) are not covered, so a rollback to old content yields the
 * old hash again. A route's `trafficSplit: null` is not covered (it is the default).
 */
export function hashSnapshotContent(content: SnapshotContent): string {
  return hashCanonicalParts(
    content.schemaVersion,
    content.settings,
    content.routes.map((route) => canonicalJson(canonicalRoute(route))),
    content.backends.map((backend) => canonicalJson(backend)),
  );
}

/** A route as the content hash covers it: without `trafficSplit` when it is null. */
export function canonicalRoute(route: RouteConfig): unknown {
  // A route without a deployment hashes as before the field existed: stored and cached snapshots keep their hash.
  if (route.trafficSplit !== null) return route;
  const { trafficSplit: _none, ...rest } = route;
  return rest;
}

/**
 * The content hash from each route's and backend's canonical JSON: the digest of
 * `canonicalJson({ schemaVersion, settings, routes, backends })`, fed piece by piece.
 */
export function hashCanonicalParts(
  schemaVersion: number,
  settings: SnapshotContent['settings'],
  routes: readonly string[],
  backends: readonly string[],
): string {
  const hash = createHash('sha256');
  // canonicalJson sorts the keys: backends, routes, schemaVersion, settings.
  hash.update('{"backends":[');
  updateJoined(hash, backends);
  hash.update('],"routes":[');
  updateJoined(hash, routes);
  hash.update(`],"schemaVersion":${JSON.stringify(schemaVersion)},"settings":${canonicalJson(settings)}}`);
  return hash.digest('hex');
}

function updateJoined(hash: Hash, parts: readonly string[]): void {
  parts.forEach((part, index) => hash.update(index === 0 ? part : `,${part}`));
}
