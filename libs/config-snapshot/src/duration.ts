const SIMPLE = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const ISO = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration written as `"100ms"`, `"30s"`, `"5m"`, `"1h"` or ISO-8601 (`"PT5M"`, `"PT1.5S"`, `"P1D"`)
 * into milliseconds. Returns `undefined` when the text is not a duration.
 */
export function parseDurationMs(text: string): number | undefined {
  const value = text.trim();
  const simple = SIMPLE.exec(value);
  if (simple) return Math.round(Number(simple[1]) * (UNIT_MS[simple[2] as string] as number));
  const iso = ISO.exec(value);
  if (!iso || value === 'P' || value.endsWith('T')) return undefined;
  const [, days, hours, minutes, seconds] = iso;
  return Math.round(
    Number(days ?? 0) * 86_400_000 +
      Number(hours ?? 0) * 3_600_000 +
      Number(minutes ?? 0) * 60_000 +
      Number(seconds ?? 0) * 1_000,
  );
}
