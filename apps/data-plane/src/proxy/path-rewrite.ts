import type { ParsedPathPattern } from '@hotswap/config-snapshot';

/** Turns the request path (no query string) into the path sent to the backend. Built once per route. */
export interface PathRewriter {
  rewrite(path: string): string;
}

/** Sends the path unchanged. */
export const KEEP_PATH: PathRewriter = Object.freeze({ rewrite: (path: string) => path });

/** Removes the pattern's literal prefix: `/test/get` on `/test/*` → `/get`; `/test` on `/test/**` → `/`. */
export class StripPrefixRewriter implements PathRewriter {
  constructor(
    private readonly prefix: string,
    private readonly segmentCount: number,
  ) {}

  rewrite(path: string): string {
    const length = this.prefix.length;
    if (path.startsWith(this.prefix)) {
      if (path.length === length) return '/';
      if (path.charCodeAt(length) === 47 /* / */) return path.slice(length);
    }
    return stripSegments(path, this.segmentCount);
  }
}

/** Replaces the first match of a regular expression (the route's `transformations.request.rewritePath`). */
export class RegexPathRewriter implements PathRewriter {
  constructor(
    private readonly pattern: RegExp,
    private readonly replacement: string,
  ) {}

  rewrite(path: string): string {
    const rewritten = path.replace(this.pattern, this.replacement);
    return rewritten.charCodeAt(0) === 47 ? rewritten : '/' + rewritten;
  }
}

/**
 * The rewriter of a route. A `rewritePath` transformation takes precedence over `stripPrefix` (it is written
 * against the path the client sent). Throws when the rewrite pattern does not compile.
 */
export function createPathRewriter(
  pattern: ParsedPathPattern,
  options: { stripPrefix: boolean; rewritePath: { pattern: string; replacement: string } | null },
): PathRewriter {
  if (options.rewritePath)
    return new RegexPathRewriter(new RegExp(options.rewritePath.pattern), options.rewritePath.replacement);
  if (!options.stripPrefix || pattern.literalPrefix === '/') return KEEP_PATH;
  const literalCount = pattern.segments.findIndex((segment) => segment.kind !== 'literal');
  return new StripPrefixRewriter(pattern.literalPrefix, literalCount === -1 ? pattern.segments.length : literalCount);
}

/** Slow path for paths with empty segments (`//test/get`): drops `count` non-empty segments. */
function stripSegments(path: string, count: number): string {
  let index = 0;
  for (let stripped = 0; stripped < count; stripped++) {
    while (path.charCodeAt(index) === 47) index++;
    const next = path.indexOf('/', index);
    if (next === -1) return '/';
    index = next;
  }
  return index >= path.length ? '/' : path.slice(index);
}
