import { createHash } from 'node:crypto';
import type { SnapshotContent } from './schema';

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
  const { schemaVersion, settings, backends } = content;
  // A route without a deployment hashes as before the field existed: stored and cached snapshots keep their hash.
  const routes = content.routes.map((route) => {
    if (route.trafficSplit !== null) return route;
    const { trafficSplit: _none, ...rest } = route;
    return rest;
  });
  return createHash('sha256').update(canonicalJson({ schemaVersion, settings, routes, backends })).digest('hex');
}
