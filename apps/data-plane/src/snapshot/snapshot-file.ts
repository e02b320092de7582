import { readFile } from 'node:fs/promises';
import {
  buildSnapshot,
  SNAPSHOT_SCHEMA_VERSION,
  validateSnapshot,
  validateSnapshotContent,
  type ConfigSnapshot,
} from '@hotswap/config-snapshot';
import { formatIssues } from './snapshot-compiler';

export type SnapshotFileResult = { ok: true; snapshot: ConfigSnapshot } | { ok: false; reasons: string[] };

const CONTENT_KEYS = new Set(['routes', 'backends', 'settings', 'schemaVersion']);

/**
 * Reads a standalone snapshot file: either a complete ConfigSnapshot (with version and hash), or, to make
 * hand-written files easy, only `{ routes, backends, settings? }`, completed with every default and stamped as
 * version 1 with its hash. Routes without `timeoutSeconds` get `defaultTimeoutSeconds`. Returns every problem.
 */
export async function readSnapshotFile(
  file: string,
  defaults: { defaultTimeoutSeconds: number },
): Promise<SnapshotFileResult> {
  let input: unknown;
  try {
    input = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    return { ok: false, reasons: [`${file}: ${(error as Error).message}`] };
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, reasons: [`${file}: must hold a JSON object (a snapshot, or { routes, backends, settings })`] };
  }
  const record = input as Record<string, unknown>;
  if ('version' in record || 'hash' in record) {
    const validated = validateSnapshot(input);
    return validated.ok
      ? { ok: true, snapshot: validated.value }
      : { ok: false, reasons: formatIssues(validated.issues) };
  }

  const reasons = Object.keys(record)
    .filter((key) => !CONTENT_KEYS.has(key))
    .map((key) => `${key}: is not a known field (expected routes, backends, settings)`);
  const routes = Array.isArray(record.routes)
    ? record.routes.map((route: unknown) =>
        typeof route === 'object' && route !== null && !('timeoutSeconds' in route)
          ? { ...route, timeoutSeconds: defaults.defaultTimeoutSeconds }
          : route,
      )
    : record.routes;
  const content = validateSnapshotContent({
    schemaVersion: record.schemaVersion ?? SNAPSHOT_SCHEMA_VERSION,
    settings: record.settings ?? { defaultTimeoutSeconds: defaults.defaultTimeoutSeconds },
    routes,
    backends: record.backends ?? [],
  });
  if (!content.ok) reasons.push(...formatIssues(content.issues));
  if (reasons.length > 0 || !content.ok) return { ok: false, reasons };
  const snapshot = buildSnapshot(
    { version: 1, previousVersion: null, auditId: null, createdAt: new Date().toISOString() },
    content.value,
  );
  return { ok: true, snapshot };
}
