/** One segment of a compiled path pattern. */
export type PathSegment =
  { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'wildcard' } | { kind: 'globstar' };

/** A path pattern split into segments, with the literal prefix that `stripPrefix` removes. */
export interface ParsedPathPattern {
  segments: PathSegment[];
  /** The literal segments before the first non-literal one, joined with `/` and starting with `/`. */
  literalPrefix: string;
}

const PARAM = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const LITERAL = /^[A-Za-z0-9\-._~!$&'()+,;=:@%]+$/;

/**
 * Parses a route path pattern. Segments are literals, `*` (exactly one segment), `{name}` (one segment,
 * captured as a parameter) or `**` (zero or more segments, last segment only). Returns the reasons when the
 * pattern is not valid.
 */
export function parsePathPattern(
  pattern: string,
): { ok: true; value: ParsedPathPattern } | { ok: false; reason: string } {
  if (!pattern.startsWith('/')) return { ok: false, reason: 'must start with "/"' };
  if (pattern.length > 500) return { ok: false, reason: 'must be at most 500 characters' };
  const parts = pattern === '/' ? [] : pattern.slice(1).split('/');
  const segments: PathSegment[] = [];
  const names = new Set<string>();
  for (const [index, part] of parts.entries()) {
    if (part === '') {
      if (index === parts.length - 1) continue;
      return { ok: false, reason: 'must not contain an empty segment ("//")' };
    }
    if (part === '**') {
      if (index !== parts.length - 1) return { ok: false, reason: '"**" is allowed only as the last segment' };
      segments.push({ kind: 'globstar' });
    } else if (part === '*') {
      segments.push({ kind: 'wildcard' });
    } else if (part.startsWith('{')) {
      const match = PARAM.exec(part);
      if (!match) return { ok: false, reason: `segment "${part}" is not a valid parameter such as "{id}"` };
      const name = match[1] as string;
      if (names.has(name)) return { ok: false, reason: `parameter "${name}" appears twice` };
      names.add(name);
      segments.push({ kind: 'param', name });
    } else {
      if (!LITERAL.test(part) || part.includes('*')) {
        return { ok: false, reason: `segment "${part}" contains characters not allowed in a path` };
      }
      segments.push({ kind: 'literal', value: part });
    }
  }
  const literals: string[] = [];
  for (const segment of segments) {
    if (segment.kind !== 'literal') break;
    literals.push(segment.value);
  }
  return { ok: true, value: { segments, literalPrefix: '/' + literals.join('/') } };
}

/** Splits a request path (without query string) into its non-empty segments. */
export function splitPath(path: string): string[] {
  const segments = path.split('/');
  return segments.filter((segment) => segment !== '');
}

/**
 * Matches one request path against one parsed pattern: the reference semantics that the data plane's
 * router implements without scanning. Returns the captured parameters, or `undefined` when it does not match.
 */
export function matchPathPattern(pattern: ParsedPathPattern, path: string): Record<string, string> | undefined {
  const parts = splitPath(path);
  const params: Record<string, string> = {};
  const { segments } = pattern;
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index] as PathSegment;
    if (segment.kind === 'globstar') return params;
    const part = parts[index];
    if (part === undefined) return undefined;
    if (segment.kind === 'literal' && segment.value !== part) return undefined;
    if (segment.kind === 'param') params[segment.name] = decodeSegment(part);
  }
  return parts.length === segments.length ? params : undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
