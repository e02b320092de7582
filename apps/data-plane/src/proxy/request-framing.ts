/**
 * Whether a request names its host more than once. RFC 9112 §3.2 requires a 400 for it: Node keeps the first Host and
 * drops the others, while a backend or cache behind the gateway may read another one.
 */
export function hasRepeatedHost(rawHeaders: readonly string[]): boolean {
  let seen = false;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length === 4 && name.toLowerCase() === 'host') {
      if (seen) return true;
      seen = true;
    }
  }
  return false;
}
