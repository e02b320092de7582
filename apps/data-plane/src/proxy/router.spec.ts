import { HTTP_METHODS, matchPathPattern, parsePathPattern, type ParsedPathPattern } from '@hotswap/config-snapshot';
import { RouterBuilder, stripPort, type Router } from './router';

interface TestRoute {
  routeId: string;
  pathPattern: string;
  host?: string | null;
  methods?: string[];
  priority?: number;
}

function pattern(text: string): ParsedPathPattern {
  const parsed = parsePathPattern(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.reason}`);
  return parsed.value;
}

function routerOf(routes: TestRoute[]): Router<string> {
  const builder = new RouterBuilder<string>();
  for (const route of routes) {
    builder.add(
      {
        routeId: route.routeId,
        host: route.host ?? null,
        segments: pattern(route.pathPattern).segments,
        methods: route.methods ?? [],
        priority: route.priority ?? 0,
      },
      route.routeId,
    );
  }
  return builder.build();
}

describe('Router', () => {
  describe("path patterns (the guide's cases, as matchPathPattern defines them)", () => {
    const router = routerOf([
      { routeId: 'one-segment', pathPattern: '/api/*' },
      { routeId: 'any-depth', pathPattern: '/v1/**' },
      { routeId: 'user', pathPattern: '/api/users/{id}' },
      { routeId: 'orders', pathPattern: '/api/users/{id}/orders/{orderId}' },
      { routeId: 'test', pathPattern: '/test/*' },
      { routeId: 'root', pathPattern: '/' },
    ]);

    it.each([
      ['/api/users', 'one-segment'],
      ['/api/users/123', 'user'],
      ['/api/users/a%20b/orders/7', 'orders'],
      ['/v1/a/b/c', 'any-depth'],
      ['/v1', 'any-depth'],
      ['/v1/', 'any-depth'],
      ['/test/get', 'test'],
      ['/test/get/', 'test'],
      ['//test//get', 'test'],
      ['/', 'root'],
    ])('routes %s to %s', (path, routeId) => {
      expect(router.match(undefined, 'GET', path)).toBe(routeId);
    });

    it.each(['/api', '/api/products/1/2', '/v1x/a', '/test', '/test/a/b', '/TEST/get', '/other'])(
      'matches nothing for %s',
      (path) => {
        expect(router.match(undefined, 'GET', path)).toBeUndefined();
      },
    );
  });

  describe('precedence', () => {
    it('prefers a literal segment over a parameter, and a parameter over "**"', () => {
      const router = routerOf([
        { routeId: 'globstar', pathPattern: '/api/**' },
        { routeId: 'param', pathPattern: '/api/users/{id}' },
        { routeId: 'literal', pathPattern: '/api/users/me' },
      ]);
      expect(router.match(undefined, 'GET', '/api/users/me')).toBe('literal');
      expect(router.match(undefined, 'GET', '/api/users/42')).toBe('param');
      expect(router.match(undefined, 'GET', '/api/users/42/x')).toBe('globstar');
      expect(router.match(undefined, 'GET', '/api')).toBe('globstar');
    });

    it('compares specificity segment by segment from the left', () => {
      const router = routerOf([
        { routeId: 'wild-then-literal', pathPattern: '/api/*/x' },
        { routeId: 'literal-then-globstar', pathPattern: '/api/users/**' },
      ]);
      expect(router.match(undefined, 'GET', '/api/users/x')).toBe('literal-then-globstar');
      expect(router.match(undefined, 'GET', '/api/orders/x')).toBe('wild-then-literal');
    });

    it('prefers the pattern that ends at the path over a "**" that also matches it', () => {
      const router = routerOf([
        { routeId: 'prefix', pathPattern: '/api/**' },
        { routeId: 'exact', pathPattern: '/api' },
      ]);
      expect(router.match(undefined, 'GET', '/api')).toBe('exact');
      expect(router.match(undefined, 'GET', '/api/x')).toBe('prefix');
    });

    it('lets a higher priority win over a more specific pattern', () => {
      const router = routerOf([
        { routeId: 'specific', pathPattern: '/api/users/me' },
        { routeId: 'catch-all', pathPattern: '/**', priority: 10 },
        { routeId: 'middle', pathPattern: '/api/*/me', priority: 5 },
      ]);
      expect(router.match(undefined, 'GET', '/api/users/me')).toBe('catch-all');
    });

    it('breaks ties deterministically: a route naming the method, then the smaller route id', () => {
      const router = routerOf([
        { routeId: 'b-any', pathPattern: '/x/*' },
        { routeId: 'c-get', pathPattern: '/x/{id}', methods: ['GET'] },
        { routeId: 'a-any', pathPattern: '/x/{name}' },
      ]);
      expect(router.match(undefined, 'GET', '/x/1')).toBe('c-get');
      expect(router.match(undefined, 'POST', '/x/1')).toBe('a-any');
    });
  });

  describe('hosts', () => {
    const router = routerOf([
      { routeId: 'any', pathPattern: '/**' },
      { routeId: 'exact', pathPattern: '/**', host: 'api.example.com' },
      { routeId: 'exact-port', pathPattern: '/**', host: 'api.example.com:8443' },
      { routeId: 'wildcard', pathPattern: '/**', host: '*.example.com' },
      { routeId: 'deeper-wildcard', pathPattern: '/**', host: '*.eu.example.com' },
    ]);

    it.each([
      ['api.example.com', 'exact'],
      ['API.Example.com', 'exact'],
      ['api.example.com:8000', 'exact'],
      ['api.example.com:8443', 'exact-port'],
      ['web.example.com', 'wildcard'],
      ['a.b.example.com:80', 'wildcard'],
      ['x.eu.example.com', 'deeper-wildcard'],
      ['example.com', 'any'],
      ['other.org', 'any'],
      [undefined, 'any'],
    ])('routes host %s to %s', (host, routeId) => {
      expect(router.match(host, 'GET', '/x')).toBe(routeId);
    });

    it('falls back to a less specific host when the specific one has no matching path', () => {
      const scoped = routerOf([
        { routeId: 'api-users', pathPattern: '/users/*', host: 'api.example.com' },
        { routeId: 'anywhere', pathPattern: '/**' },
      ]);
      expect(scoped.match('api.example.com', 'GET', '/users/1')).toBe('api-users');
      expect(scoped.match('api.example.com', 'GET', '/orders/1')).toBe('anywhere');
    });

    it('lets priority outrank host specificity', () => {
      const scoped = routerOf([
        { routeId: 'host', pathPattern: '/**', host: 'api.example.com' },
        { routeId: 'urgent', pathPattern: '/**', priority: 1 },
      ]);
      expect(scoped.match('api.example.com', 'GET', '/x')).toBe('urgent');
    });

    it('strips ports, IPv6 literals included', () => {
      expect(stripPort('example.com:8000')).toBe('example.com');
      expect(stripPort('example.com')).toBe('example.com');
      expect(stripPort('[::1]:8000')).toBe('[::1]');
      expect(stripPort('[::1]')).toBe('[::1]');
    });
  });

  describe('methods', () => {
    const router = routerOf([
      { routeId: 'read', pathPattern: '/items/*', methods: ['GET', 'HEAD'] },
      { routeId: 'write', pathPattern: '/items/{id}', methods: ['PUT', 'DELETE'] },
      { routeId: 'docs', pathPattern: '/docs/**', methods: ['GET'] },
      { routeId: 'fallback', pathPattern: '/docs/**', priority: 0, host: 'docs.example.com' },
    ]);

    it('picks the route that allows the method', () => {
      expect(router.match(undefined, 'GET', '/items/1')).toBe('read');
      expect(router.match(undefined, 'DELETE', '/items/1')).toBe('write');
    });

    it('reports the allowed methods of the routes whose path matches when none allows the method', () => {
      expect(router.match(undefined, 'POST', '/items/1')).toBeUndefined();
      expect(router.allowedMethods(undefined, '/items/1')).toEqual(['GET', 'HEAD', 'PUT', 'DELETE']);
      expect(router.allowedMethods(undefined, '/nothing')).toEqual([]);
    });

    it('lets a less specific route that allows the method serve it', () => {
      expect(router.match('docs.example.com', 'POST', '/docs/a')).toBe('fallback');
      expect(router.match('docs.example.com', 'GET', '/docs/a')).toBe('fallback');
      expect(router.match(undefined, 'POST', '/docs/a')).toBeUndefined();
    });

    it('serves methods outside the standard list only through routes that allow every method', () => {
      const open = routerOf([
        { routeId: 'get-only', pathPattern: '/dav/**', methods: ['GET'] },
        { routeId: 'everything', pathPattern: '/**' },
      ]);
      expect(open.match(undefined, 'PROPFIND', '/dav/x')).toBe('everything');
    });
  });

  describe('agrees with a full scan using matchPathPattern', () => {
    const LITERALS = ['a', 'b', 'c'];
    const ROUTE_HOSTS = [null, null, null, 'x.com', 'x.com:8080', '*.x.com', '*.b.x.com'];
    const REQUEST_HOSTS = [undefined, 'x.com', 'x.com:8080', 'y.x.com', 'a.b.x.com', 'q.b.x.com:9', 'other.org'];
    const METHODS = ['GET', 'POST', 'DELETE'];

    function random(seed: number): () => number {
      return () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    }

    function pick<T>(next: () => number, items: readonly T[]): T {
      return items[Math.floor(next() * items.length)] as T;
    }

    function randomPattern(next: () => number): string {
      const length = Math.floor(next() * 4);
      const parts: string[] = [];
      for (let index = 0; index < length; index++) {
        const roll = next();
        if (roll < 0.6) parts.push(pick(next, LITERALS));
        else if (roll < 0.75) parts.push('*');
        else if (roll < 0.9) parts.push(`{p${index}}`);
        else {
          parts.push('**');
          break;
        }
      }
      if (next() < 0.2 && parts[parts.length - 1] !== '**') parts.push('**');
      return '/' + parts.join('/');
    }

    function randomPath(next: () => number): string {
      const length = Math.floor(next() * 5);
      const parts = Array.from({ length }, () => pick(next, [...LITERALS, 'd']));
      return '/' + parts.join('/') + (next() < 0.1 ? '/' : '');
    }

    /** Host rank in the router's documented order, or undefined when the route's host does not match. */
    function hostRank(routeHost: string | null, requestHost: string | undefined): number | undefined {
      if (routeHost === null) return 1000;
      if (requestHost === undefined) return undefined;
      const full = requestHost.toLowerCase();
      const name = stripPort(full);
      if (routeHost === full) return 0;
      if (routeHost === name) return 1;
      if (routeHost.startsWith('*.')) {
        const suffix = routeHost.slice(1);
        for (const [offset, candidate] of [full, name].entries()) {
          if (candidate.endsWith(suffix) && candidate.length > suffix.length) {
            const dotsBefore = candidate.slice(0, candidate.length - suffix.length).split('.').length - 1;
            return 10 + offset * 100 + dotsBefore;
          }
        }
      }
      return undefined;
    }

    /** Segment ranks from the left: literal 0, one-segment 1, "**" 2; the end of an exact pattern ranks 0. */
    function specificity(parsed: ParsedPathPattern, segmentCount: number): number[] {
      const ranks: number[] = [];
      for (let index = 0; index <= segmentCount; index++) {
        const segment = parsed.segments[index];
        if (segment === undefined) ranks.push(0);
        else if (segment.kind === 'globstar') {
          while (ranks.length <= segmentCount) ranks.push(2);
          break;
        } else ranks.push(segment.kind === 'literal' ? 0 : 1);
      }
      return ranks;
    }

    function compareArrays(a: number[], b: number[]): number {
      for (let index = 0; index < Math.max(a.length, b.length); index++) {
        const diff = (a[index] ?? 0) - (b[index] ?? 0);
        if (diff !== 0) return diff;
      }
      return 0;
    }

    it('on 3,000 random requests over 80 random routes', () => {
      const next = random(20_251_127);
      const routes: TestRoute[] = Array.from({ length: 80 }, (_, index) => ({
        routeId: `r${String(index).padStart(2, '0')}`,
        pathPattern: randomPattern(next),
        host: pick(next, ROUTE_HOSTS),
        methods: next() < 0.5 ? [] : METHODS.filter(() => next() < 0.5),
        priority: next() < 0.8 ? 0 : Math.floor(next() * 3),
      }));
      const router = routerOf(routes);
      let matched = 0;
      for (let request = 0; request < 3_000; request++) {
        const host = pick(next, REQUEST_HOSTS);
        const method = pick(next, [...METHODS, 'PATCH']);
        const path = randomPath(next);
        const segmentCount = path.split('/').filter(Boolean).length;
        const byPath = routes
          .map((route) => ({ route, parsed: pattern(route.pathPattern), rank: hostRank(route.host ?? null, host) }))
          .filter(({ parsed, rank }) => rank !== undefined && matchPathPattern(parsed, path) !== undefined);
        const candidates = byPath
          .filter(({ route }) => route.methods!.length === 0 || route.methods!.includes(method))
          .sort(
            (x, y) =>
              (y.route.priority ?? 0) - (x.route.priority ?? 0) ||
              (x.rank as number) - (y.rank as number) ||
              compareArrays(specificity(x.parsed, segmentCount), specificity(y.parsed, segmentCount)) ||
              Number(y.route.methods!.length > 0) - Number(x.route.methods!.length > 0) ||
              (x.route.routeId < y.route.routeId ? -1 : 1),
          );
        const expected = candidates[0]?.route.routeId;
        const context = `${method} ${host ?? '(no host)'} ${path}`;
        expect({ context, routeId: router.match(host, method, path) }).toEqual({ context, routeId: expected });
        if (expected === undefined) {
          const allowed = new Set(byPath.flatMap(({ route }) => route.methods!));
          expect({ context, allowed: router.allowedMethods(host, path) }).toEqual({
            context,
            allowed: HTTP_METHODS.filter((m) => allowed.has(m)),
          });
        } else matched++;
      }
      expect(matched).toBeGreaterThan(500);
    });
  });

  describe('editing a built router', () => {
    const specOf = (route: TestRoute) => ({
      routeId: route.routeId,
      host: route.host ?? null,
      segments: pattern(route.pathPattern).segments,
      methods: route.methods ?? [],
      priority: route.priority ?? 0,
    });
    const routes: TestRoute[] = [
      { routeId: 'a', pathPattern: '/api/**' },
      { routeId: 'b', pathPattern: '/api/users/{id}', priority: 2 },
      { routeId: 'c', pathPattern: '/api/users/{id}', methods: ['POST'], priority: 2 },
      { routeId: 'd', pathPattern: '/static/*/file', host: 'cdn.example.com' },
      { routeId: 'e', pathPattern: '/static/**', host: '*.example.com', priority: 1 },
    ];
    const requests: Array<[string | undefined, string, string]> = [];
    for (const host of [undefined, 'cdn.example.com', 'x.example.com']) {
      for (const method of ['GET', 'POST']) {
        for (const path of ['/api/x', '/api/users/1', '/static/a/file', '/static/a/b', '/new/1', '/']) {
          requests.push([host, method, path]);
        }
      }
    }
    const decisions = (router: Router<string>) =>
      requests.map(([host, method, path]) => [
        router.match(host, method, path),
        router.allowedMethods(host, path).join(','),
      ]);

    it('matches as a router built from scratch with the same routes, and leaves the original as it was', () => {
      const original = routerOf(routes);
      const before = decisions(original);
      const edited = original
        .edit()
        .remove(specOf(routes[1]!))
        .remove(specOf(routes[3]!))
        .remove(specOf({ routeId: 'never-placed', pathPattern: '/api/**' }))
        .add(specOf({ routeId: 'b', pathPattern: '/api/users/{id}', priority: 0 }), 'b')
        .add(specOf({ routeId: 'f', pathPattern: '/new/{id}', host: 'cdn.example.com' }), 'f')
        .build();
      const expected = routerOf([
        routes[0]!,
        { routeId: 'b', pathPattern: '/api/users/{id}', priority: 0 },
        routes[2]!,
        routes[4]!,
        { routeId: 'f', pathPattern: '/new/{id}', host: 'cdn.example.com' },
      ]);
      expect(decisions(edited)).toEqual(decisions(expected));
      expect(edited.size).toBe(expected.size);
      expect(decisions(original)).toEqual(before);
      expect(original.size).toBe(routes.length);
      expect(decisions(edited)).not.toEqual(before);
    });

    it('drops what a removal leaves empty: a removed route no longer lifts the priority of its path', () => {
      const original = routerOf([
        { routeId: 'low', pathPattern: '/x/**', priority: 0 },
        { routeId: 'high', pathPattern: '/x/y/z', host: 'h.example.com', priority: 9 },
      ]);
      const edited = original
        .edit()
        .remove(specOf({ routeId: 'high', pathPattern: '/x/y/z', host: 'h.example.com', priority: 9 }))
        .build();
      expect(original.match('h.example.com', 'GET', '/x/y/z')).toBe('high');
      expect(edited.match('h.example.com', 'GET', '/x/y/z')).toBe('low');
      expect(edited.size).toBe(1);
    });
  });
});
