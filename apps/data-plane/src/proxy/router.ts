import { HTTP_METHODS, type PathSegment } from '@hotswap/config-snapshot';

/** What the router needs to know of a route to place it. */
export interface RouteMatchSpec {
  readonly routeId: string;
  /** Exact host (`api.example.com`, optionally with `:port`), wildcard host (`*.example.com`), or `null`: any. */
  readonly host: string | null;
  readonly segments: readonly PathSegment[];
  /** Allowed methods; empty allows every method. */
  readonly methods: readonly string[];
  readonly priority: number;
}

interface Candidate<T> {
  readonly value: T;
  readonly routeId: string;
  readonly priority: number;
  readonly methods: readonly string[];
}

/** The routes whose pattern ends at one trie node (or at its `**`), with the winner per method decided up front. */
class Terminal<T> {
  readonly candidates: Candidate<T>[] = [];
  byMethod = new Map<string, Candidate<T>>();
  /** The winner for a method outside HTTP_METHODS: only routes that allow every method qualify. */
  anyMethod: Candidate<T> | undefined;
  maxPriority = -1;

  seal(): void {
    // Higher priority first; at equal priority a route naming the method beats one that allows every method;
    // then by route id, so that ties are deterministic.
    this.candidates.sort(
      (a, b) =>
        b.priority - a.priority ||
        Number(b.methods.length > 0) - Number(a.methods.length > 0) ||
        (a.routeId < b.routeId ? -1 : a.routeId > b.routeId ? 1 : 0),
    );
    for (const method of HTTP_METHODS) {
      const winner = this.candidates.find((c) => c.methods.length === 0 || c.methods.includes(method));
      if (winner) this.byMethod.set(method, winner);
    }
    this.anyMethod = this.candidates.find((c) => c.methods.length === 0);
    this.maxPriority = this.candidates[0]?.priority ?? -1;
  }
}

class TrieNode<T> {
  literals: Map<string, TrieNode<T>> | undefined;
  /** The child for `*` and `{param}`: both match exactly one segment. */
  param: TrieNode<T> | undefined;
  /** Patterns that end here. */
  exact: Terminal<T> | undefined;
  /** Patterns that end here with `/**`: they match this node and everything below it. */
  globstar: Terminal<T> | undefined;
  /** Highest priority of any pattern in this subtree: lets a search skip subtrees that cannot win. */
  maxPriority = -1;

  seal(): number {
    let max = -1;
    for (const terminal of [this.exact, this.globstar]) {
      if (!terminal) continue;
      terminal.seal();
      max = Math.max(max, terminal.maxPriority);
    }
    for (const child of this.literals?.values() ?? []) max = Math.max(max, child.seal());
    if (this.param) max = Math.max(max, this.param.seal());
    this.maxPriority = max;
    return max;
  }
}

/**
 * Matches requests to routes without scanning them: one segment trie per host bucket (exact host, wildcard host,
 * any host). Precedence: higher `priority` first; then the more specific host (exact, then the longest wildcard,
 * then any); then the more specific path, segment by segment from the left (literal, then `*`/`{param}`, then
 * `**`); then a route that names the method over one that allows every method; then the smaller route id.
 * Path semantics are those of `matchPathPattern`. Immutable once built; `match` is synchronous and allocates
 * only the split path.
 */
export class Router<T> {
  private best: Candidate<T> | undefined;
  private method = '';

  constructor(
    private readonly exactHosts: ReadonlyMap<string, TrieNode<T>>,
    private readonly wildcardHosts: ReadonlyMap<string, TrieNode<T>>,
    private readonly anyHost: TrieNode<T> | undefined,
    /** Number of routes placed. */
    readonly size: number,
  ) {}

  /** The route serving `method path` on `host` (the Host header, port included), or `undefined`. */
  match(host: string | undefined, method: string, path: string): T | undefined {
    const parts = path.split('/');
    this.method = method;
    this.best = undefined;
    if (host !== undefined && (this.exactHosts.size > 0 || this.wildcardHosts.size > 0)) {
      this.searchHosts(host.toLowerCase(), parts);
    }
    if (this.anyHost !== undefined) this.visit(this.anyHost, parts, 0);
    // `visit` sets `best`; TypeScript does not see that through the method calls.
    const best = this.best as Candidate<T> | undefined;
    this.best = undefined;
    return best?.value;
  }

  /**
   * The methods of the routes whose host and path match, whatever their method; used to tell 405 from 404 once
   * `match` found nothing. Empty: no route matches the path.
   */
  allowedMethods(host: string | undefined, path: string): string[] {
    const parts = path.split('/');
    const methods = new Set<string>();
    for (const trie of this.triesFor(host)) this.collect(trie, parts, 0, methods);
    const known: string[] = HTTP_METHODS.filter((method) => methods.has(method));
    return known.concat([...methods].filter((method) => !known.includes(method)).sort());
  }

  private searchHosts(host: string, parts: string[]): void {
    const hostname = stripPort(host);
    if (this.exactHosts.size > 0) {
      const exact = this.exactHosts.get(host);
      if (exact !== undefined) this.visit(exact, parts, 0);
      if (hostname !== host) {
        const exactName = this.exactHosts.get(hostname);
        if (exactName !== undefined) this.visit(exactName, parts, 0);
      }
    }
    if (this.wildcardHosts.size > 0) {
      this.searchWildcards(host, parts);
      if (hostname !== host) this.searchWildcards(hostname, parts);
    }
  }

  /** Tries `.b.example.com`, then `.example.com`, then `.com`: the longest (most specific) suffix first. */
  private searchWildcards(host: string, parts: string[]): void {
    for (let dot = host.indexOf('.'); dot > 0; dot = host.indexOf('.', dot + 1)) {
      const trie = this.wildcardHosts.get(host.slice(dot));
      if (trie !== undefined) this.visit(trie, parts, 0);
    }
  }

  private visit(node: TrieNode<T>, parts: string[], index: number): void {
    // Matches are found in order of specificity, so a later one must have a strictly higher priority to win.
    if (this.best !== undefined && node.maxPriority <= this.best.priority) return;
    while (index < parts.length && parts[index] === '') index++;
    if (index === parts.length) {
      if (node.exact !== undefined) this.consider(node.exact);
      if (node.globstar !== undefined) this.consider(node.globstar);
      return;
    }
    if (node.literals !== undefined) {
      const literal = node.literals.get(parts[index] as string);
      if (literal !== undefined) this.visit(literal, parts, index + 1);
    }
    if (node.param !== undefined) this.visit(node.param, parts, index + 1);
    if (node.globstar !== undefined) this.consider(node.globstar);
  }

  private consider(terminal: Terminal<T>): void {
    const candidate = terminal.byMethod.get(this.method) ?? terminal.anyMethod;
    if (candidate !== undefined && (this.best === undefined || candidate.priority > this.best.priority)) {
      this.best = candidate;
    }
  }

  private collect(node: TrieNode<T>, parts: string[], index: number, methods: Set<string>): void {
    while (index < parts.length && parts[index] === '') index++;
    const add = (terminal: Terminal<T> | undefined) => {
      for (const candidate of terminal?.candidates ?? []) for (const method of candidate.methods) methods.add(method);
    };
    if (index === parts.length) {
      add(node.exact);
      add(node.globstar);
      return;
    }
    const literal = node.literals?.get(parts[index] as string);
    if (literal !== undefined) this.collect(literal, parts, index + 1, methods);
    if (node.param !== undefined) this.collect(node.param, parts, index + 1, methods);
    add(node.globstar);
  }

  private triesFor(host: string | undefined): TrieNode<T>[] {
    const tries: TrieNode<T>[] = [];
    if (host !== undefined) {
      const lower = host.toLowerCase();
      for (const name of new Set([lower, stripPort(lower)])) {
        const exact = this.exactHosts.get(name);
        if (exact) tries.push(exact);
        for (let dot = name.indexOf('.'); dot > 0; dot = name.indexOf('.', dot + 1)) {
          const wildcard = this.wildcardHosts.get(name.slice(dot));
          if (wildcard) tries.push(wildcard);
        }
      }
    }
    if (this.anyHost) tries.push(this.anyHost);
    return tries;
  }
}

/** Collects routes, then builds an immutable Router. */
export class RouterBuilder<T> {
  private readonly exactHosts = new Map<string, TrieNode<T>>();
  private readonly wildcardHosts = new Map<string, TrieNode<T>>();
  private anyHost: TrieNode<T> | undefined;
  private size = 0;

  add(spec: RouteMatchSpec, value: T): this {
    let node = this.trieFor(spec.host);
    const candidate: Candidate<T> = {
      value,
      routeId: spec.routeId,
      priority: spec.priority,
      methods: [...new Set(spec.methods.map((method) => method.toUpperCase()))],
    };
    for (const segment of spec.segments) {
      switch (segment.kind) {
        case 'literal': {
          node.literals ??= new Map();
          let child = node.literals.get(segment.value);
          if (!child) node.literals.set(segment.value, (child = new TrieNode()));
          node = child;
          break;
        }
        case 'param':
        case 'wildcard':
          node = node.param ??= new TrieNode();
          break;
        case 'globstar':
          (node.globstar ??= new Terminal()).candidates.push(candidate);
          this.size++;
          return this;
      }
    }
    (node.exact ??= new Terminal()).candidates.push(candidate);
    this.size++;
    return this;
  }

  build(): Router<T> {
    for (const trie of [...this.exactHosts.values(), ...this.wildcardHosts.values(), this.anyHost]) trie?.seal();
    return new Router(this.exactHosts, this.wildcardHosts, this.anyHost, this.size);
  }

  private trieFor(host: string | null): TrieNode<T> {
    if (host === null) return (this.anyHost ??= new TrieNode());
    const lower = host.toLowerCase();
    const [map, key] = lower.startsWith('*.') ? [this.wildcardHosts, lower.slice(1)] : [this.exactHosts, lower];
    let trie = map.get(key);
    if (!trie) map.set(key, (trie = new TrieNode()));
    return trie;
  }
}

/** `example.com:8000` → `example.com`; `[::1]:8000` → `[::1]`. */
export function stripPort(host: string): string {
  if (host.charCodeAt(0) === 91 /* [ */) {
    const end = host.indexOf(']');
    return end === -1 ? host : host.slice(0, end + 1);
  }
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}
