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
 * old hash again.
 */
export function hashSnapshotContent(content: SnapshotContent): string {
  const { schemaVersion, settings, routes, backends } = content;
  return createHash('sha256').update(canonicalJson({ schemaVersion, settings, routes, backends })).digest('hex');
}
