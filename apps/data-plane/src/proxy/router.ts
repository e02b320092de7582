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

/**
 * The routes whose pattern ends at one trie node (or at its `**`), with the winner per method decided up front.
 * Sealed once built: a builder editing a built router changes a clone.
 */
class Terminal<T> {
  byMethod = new Map<string, Candidate<T>>();
  /** The winner for a method outside HTTP_METHODS: only routes that allow every method qualify. */
  anyMethod: Candidate<T> | undefined;
  maxPriority = -1;
  isSealed = false;

  constructor(readonly candidates: Candidate<T>[] = []) {}

  clone(): Terminal<T> {
    return new Terminal(this.candidates.slice());
  }

  seal(): void {
    this.isSealed = true;
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

/** A trie node; sealed once built (then its whole subtree is): a builder editing a built router changes a clone. */
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
  isSealed = false;

  clone(): TrieNode<T> {
    const copy = new TrieNode<T>();
    copy.literals = this.literals && new Map(this.literals);
    copy.param = this.param;
    copy.exact = this.exact;
    copy.globstar = this.globstar;
    return copy;
  }

  get isEmpty(): boolean {
    return (
      (this.literals === undefined || this.literals.size === 0) &&
      this.param === undefined &&
      this.exact === undefined &&
      this.globstar === undefined
    );
  }

  seal(): number {
    if (this.isSealed) return this.maxPriority;
    let max = -1;
    for (const terminal of [this.exact, this.globstar]) {
      if (!terminal) continue;
      if (!terminal.isSealed) terminal.seal();
      max = Math.max(max, terminal.maxPriority);
    }
    for (const child of this.literals?.values() ?? []) max = Math.max(max, child.seal());
    if (this.param) max = Math.max(max, this.param.seal());
    this.maxPriority = max;
    this.isSealed = true;
    return max;
  }
}

/** A router's tries by host bucket, and how many routes they place. */
interface RouterTries<T> {
  readonly exactHosts: ReadonlyMap<string, TrieNode<T>>;
  readonly wildcardHosts: ReadonlyMap<string, TrieNode<T>>;
  readonly anyHost: TrieNode<T> | undefined;
  readonly size: number;
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

  private readonly exactHosts: ReadonlyMap<string, TrieNode<T>>;
  private readonly wildcardHosts: ReadonlyMap<string, TrieNode<T>>;
  private readonly anyHost: TrieNode<T> | undefined;
  /** Number of routes placed. */
  readonly size: number;

  constructor(tries: RouterTries<T>) {
    this.exactHosts = tries.exactHosts;
    this.wildcardHosts = tries.wildcardHosts;
    this.anyHost = tries.anyHost;
    this.size = tries.size;
  }

  /**
   * A builder holding this router's routes, to add and remove some: it copies only the trie nodes on the paths it
   * changes and shares the rest, so this router stays as it is and a one-route edit costs one path.
   */
  edit(): RouterBuilder<T> {
    const { exactHosts, wildcardHosts, anyHost, size } = this;
    return new RouterBuilder<T>({ exactHosts, wildcardHosts, anyHost, size });
  }

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

/** Collects routes (or edits a built router's, see `Router.edit`), then builds an immutable Router. */
export class RouterBuilder<T> {
  private readonly exactHosts: Map<string, TrieNode<T>>;
  private readonly wildcardHosts: Map<string, TrieNode<T>>;
  private anyHost: TrieNode<T> | undefined;
  private size: number;

  constructor(base?: RouterTries<T>) {
    this.exactHosts = new Map(base?.exactHosts);
    this.wildcardHosts = new Map(base?.wildcardHosts);
    this.anyHost = base?.anyHost;
    this.size = base?.size ?? 0;
  }

  add(spec: RouteMatchSpec, value: T): this {
    let node = this.writableTrieFor(spec.host);
    const candidate: Candidate<T> = {
      value,
      routeId: spec.routeId,
      priority: spec.priority,
      methods: [...new Set(spec.methods.map((method) => method.toUpperCase()))],
    };
    for (const segment of spec.segments) {
      switch (segment.kind) {
        case 'literal':
          node = writableLiteral(node, segment.value);
          break;
        case 'param':
        case 'wildcard':
          node = node.param = node.param === undefined ? new TrieNode() : writable(node.param);
          break;
        case 'globstar':
          node.globstar = node.globstar === undefined ? new Terminal() : writable(node.globstar);
          node.globstar.candidates.push(candidate);
          this.size++;
          return this;
      }
    }
    node.exact = node.exact === undefined ? new Terminal() : writable(node.exact);
    node.exact.candidates.push(candidate);
    this.size++;
    return this;
  }

  /** Removes the route `spec.routeId` placed with this spec's host and pattern (nothing if it is not there). */
  remove(spec: RouteMatchSpec): this {
    const found = this.terminalOf(spec);
    if (found === undefined || !found.terminal.candidates.some((candidate) => candidate.routeId === spec.routeId)) {
      return this;
    }
    // Copy the path, then drop the candidate and every node left empty, from the bottom up.
    const path: Array<TrieNode<T>> = [this.writableTrieFor(spec.host)];
    for (const step of found.steps) {
      const node = path[path.length - 1] as TrieNode<T>;
      path.push(step === PARAM ? (node.param = writable(node.param as TrieNode<T>)) : writableLiteral(node, step));
    }
    const last = path[path.length - 1] as TrieNode<T>;
    const kept = found.terminal.candidates.filter((candidate) => candidate.routeId !== spec.routeId);
    const terminal = kept.length === 0 ? undefined : new Terminal(kept);
    if (found.isGlobstar) last.globstar = terminal;
    else last.exact = terminal;
    this.size--;
    for (let depth = path.length - 1; depth > 0; depth--) {
      const node = path[depth] as TrieNode<T>;
      if (!node.isEmpty) return this;
      const parent = path[depth - 1] as TrieNode<T>;
      const step = found.steps[depth - 1] as string | typeof PARAM;
      if (step === PARAM) parent.param = undefined;
      else parent.literals?.delete(step);
    }
    if ((path[0] as TrieNode<T>).isEmpty) this.dropTrie(spec.host);
    return this;
  }

  build(): Router<T> {
    for (const trie of [...this.exactHosts.values(), ...this.wildcardHosts.values(), this.anyHost]) trie?.seal();
    return new Router({
      exactHosts: this.exactHosts,
      wildcardHosts: this.wildcardHosts,
      anyHost: this.anyHost,
      size: this.size,
    });
  }

  /** Where `spec`'s pattern ends, without changing anything: the literal or PARAM steps to it and its terminal. */
  private terminalOf(
    spec: RouteMatchSpec,
  ): { steps: Array<string | typeof PARAM>; terminal: Terminal<T>; isGlobstar: boolean } | undefined {
    const [map, key] = this.bucketOf(spec.host);
    let node = map === undefined ? this.anyHost : map.get(key);
    const steps: Array<string | typeof PARAM> = [];
    for (const segment of spec.segments) {
      if (node === undefined) return undefined;
      switch (segment.kind) {
        case 'literal':
          node = node.literals?.get(segment.value);
          steps.push(segment.value);
          break;
        case 'param':
        case 'wildcard':
          node = node.param;
          steps.push(PARAM);
          break;
        case 'globstar':
          return node.globstar === undefined ? undefined : { steps, terminal: node.globstar, isGlobstar: true };
      }
    }
    return node?.exact === undefined ? undefined : { steps, terminal: node.exact, isGlobstar: false };
  }

  /** The host bucket's map and key; no map: the any-host trie. */
  private bucketOf(host: string | null): [Map<string, TrieNode<T>> | undefined, string] {
    if (host === null) return [undefined, ''];
    const lower = host.toLowerCase();
    return lower.startsWith('*.') ? [this.wildcardHosts, lower.slice(1)] : [this.exactHosts, lower];
  }

  private writableTrieFor(host: string | null): TrieNode<T> {
    const [map, key] = this.bucketOf(host);
    if (map === undefined) return (this.anyHost = this.anyHost === undefined ? new TrieNode() : writable(this.anyHost));
    const existing = map.get(key);
    const trie = existing === undefined ? new TrieNode<T>() : writable(existing);
    if (trie !== existing) map.set(key, trie);
    return trie;
  }

  private dropTrie(host: string | null): void {
    const [map, key] = this.bucketOf(host);
    if (map === undefined) this.anyHost = undefined;
    else map.delete(key);
  }
}

/** A step through a `*` or `{param}` segment (literal steps are their text). */
const PARAM = Symbol('param');

/** The node itself if not sealed (it belongs to this builder), else a copy to change. */
function writable<N extends TrieNode<unknown> | Terminal<unknown>>(node: N): N {
  return node.isSealed ? (node.clone() as N) : node;
}

/** The child of `node` (writable) for a literal segment, made writable (or new) and put in place. */
function writableLiteral<T>(node: TrieNode<T>, value: string): TrieNode<T> {
  node.literals ??= new Map();
  const existing = node.literals.get(value);
  const child = existing === undefined ? new TrieNode<T>() : writable(existing);
  if (child !== existing) node.literals.set(value, child);
  return child;
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
