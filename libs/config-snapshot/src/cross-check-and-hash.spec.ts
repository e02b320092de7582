import { seededRandom } from '@hotswap/testing';
import { createHash } from 'node:crypto';
import { hashCanonicalParts, hashSnapshotContent } from './hash';
import type { ValidationIssue } from './issues';
import { parsePathPattern } from './path-pattern';
import type { BackendConfig, RouteConfig, SnapshotContent, TrafficSplit } from './schema';
import { deepFreeze } from './snapshot';
import { crossCheck } from './validate';

// The reference: crossCheck and the content hash as they were before entities were remembered by object. The
// optimized ones must give exactly these results (issues in the same order, the same hex digest) on every input.

function referenceCrossCheck(content: SnapshotContent): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const backendIds = new Set<string>();
  content.backends.forEach((backend, index) => {
    if (backendIds.has(backend.backendId)) {
      issues.push({
        path: `backends[${index}].backendId`,
        message: `"${backend.backendId}" is used by another backend`,
      });
    }
    backendIds.add(backend.backendId);
  });

  const routeIds = new Set<string>();
  const routeNames = new Set<string>();
  const routeKeys = new Map<string, number>();
  content.routes.forEach((route, index) => {
    const at = `routes[${index}]`;
    if (routeIds.has(route.routeId)) {
      issues.push({ path: `${at}.routeId`, message: `"${route.routeId}" is used by another route` });
    }
    routeIds.add(route.routeId);
    if (routeNames.has(route.name))
      issues.push({ path: `${at}.name`, message: `"${route.name}" is used by another route` });
    routeNames.add(route.name);
    for (const key of referenceMatchKeys(route)) {
      const other = routeKeys.get(key);
      if (other !== undefined) {
        issues.push({
          path: `${at}.pathPattern`,
          message: `routes[${other}] already matches the same host, path pattern, method and priority`,
        });
        break;
      }
    }
    for (const key of referenceMatchKeys(route)) routeKeys.set(key, index);
    issues.push(...referenceCheckRoute(route, at, backendIds));
    if (route.trafficSplit !== null) issues.push(...referenceCheckTrafficSplit(route, at, backendIds));
  });
  return issues;
}

function referenceMatchKeys(route: RouteConfig): string[] {
  const parsed = parsePathPattern(route.pathPattern);
  const shape = parsed.ok
    ? parsed.value.segments
        .map((s) => (s.kind === 'literal' ? `l:${s.value}` : s.kind === 'param' ? 'p' : s.kind))
        .join('/')
    : route.pathPattern;
  const methods = route.methods.length === 0 ? ['*'] : route.methods;
  return methods.map((method) => `${route.host ?? '*'}|${shape}|${method}|${route.priority}`);
}

function referenceCheckTrafficSplit(
  route: RouteConfig,
  at: string,
  backendIds: ReadonlySet<string>,
): ValidationIssue[] {
  const split = route.trafficSplit as TrafficSplit;
  const issues = referenceCheckRoute({ ...route, ...split.canary }, `${at}.trafficSplit.canary`, backendIds);
  if (split.pinHeader.toLowerCase() === split.previewHeader.toLowerCase()) {
    issues.push({ path: `${at}.trafficSplit.previewHeader`, message: 'must differ from pinHeader' });
  }
  if (new Set(split.rolloutDataPlaneIds).size !== split.rolloutDataPlaneIds.length) {
    issues.push({ path: `${at}.trafficSplit.rolloutDataPlaneIds`, message: 'lists a data plane twice' });
  }
  if (split.strategy !== 'Rolling' && split.rolloutDataPlaneIds.length > 0) {
    issues.push({ path: `${at}.trafficSplit.rolloutDataPlaneIds`, message: 'is only used by the Rolling strategy' });
  }
  return issues;
}

function referenceCheckRoute(route: RouteConfig, at: string, backendIds: ReadonlySet<string>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const own = new Set(route.backendIds);
  route.backendIds.forEach((id, index) => {
    if (!backendIds.has(id))
      issues.push({ path: `${at}.backendIds[${index}]`, message: `backend "${id}" does not exist` });
  });
  if (own.size !== route.backendIds.length) issues.push({ path: `${at}.backendIds`, message: 'lists a backend twice' });

  const config = route.strategyConfig;
  if (route.strategy === 'HeaderBased') {
    if (!config?.headerName)
      issues.push({ path: `${at}.strategyConfig.headerName`, message: 'is required by HeaderBased' });
    if (!config?.defaultBackend) {
      issues.push({ path: `${at}.strategyConfig.defaultBackend`, message: 'is required by HeaderBased' });
    }
  }
  if (config?.defaultBackend && !own.has(config.defaultBackend)) {
    issues.push({
      path: `${at}.strategyConfig.defaultBackend`,
      message: `backend "${config.defaultBackend}" is not one of the route's backends`,
    });
  }
  for (const [value, backendId] of Object.entries(config?.routingRules ?? {})) {
    if (!own.has(backendId)) {
      issues.push({
        path: `${at}.strategyConfig.routingRules.${value}`,
        message: `backend "${backendId}" is not one of the route's backends`,
      });
    }
  }
  const retry = route.retryPolicy;
  if (retry && retry.initialDelayMs > retry.maxDelayMs) {
    issues.push({ path: `${at}.retryPolicy.initialDelayMs`, message: 'must not exceed maxDelayMs' });
  }
  return issues;
}

function referenceCanonicalJson(value: unknown): string {
  return JSON.stringify(referenceSortKeys(value));
}

function referenceSortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(referenceSortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const entry = (value as Record<string, unknown>)[key];
      if (entry !== undefined) out[key] = referenceSortKeys(entry);
    }
    return out;
  }
  return value;
}

function referenceHash(content: SnapshotContent): string {
  const { schemaVersion, settings, backends } = content;
  const routes = content.routes.map((route) => {
    if (route.trafficSplit !== null) return route;
    const { trafficSplit: _none, ...rest } = route;
    return rest;
  });
  return createHash('sha256')
    .update(referenceCanonicalJson({ schemaVersion, settings, routes, backends }))
    .digest('hex');
}

/** Deterministic pseudo-random numbers (mulberry32), so that a failure can be replayed from its seed. */
function randomSource(seed: number) {
  const next = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const chance = (probability: number): boolean => next() < probability;
  const count = (max: number): number => Math.floor(next() * (max + 1));
  const some = <T>(items: readonly T[], max: number): T[] => Array.from({ length: count(max) }, () => pick(items));
  return { pick, chance, count, some };
}

type Random = ReturnType<typeof randomSource>;

// Small pools, so that ids, names and match keys collide; non-ASCII and integer-like keys, which the hash must
// encode and order exactly as the reference.
const BACKEND_IDS = ['b0', 'b1', 'b2', 'b3', 'b4', 'béta', '10', '9'];
const REFERENCED_IDS = [...BACKEND_IDS, 'ghost'];
const ROUTE_IDS = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8'];
const ROUTE_NAMES = ['users', 'orders', 'Zürich', 'items', 'carts', 'search', 'login', 'logout'];
const PATTERNS = ['/a/**', '/a/{id}', '/a/{other}', '/a/*', '/b/*/c', '/ü/{id}', '/', 'nope', '/a/{'];
const HOSTS = [null, 'api.example.com', '*.example.com'];
const METHODS = ['GET', 'POST', 'PUT'] as const;
const DELAYS = [50, 100, 2000, 5000];
const RULE_VALUES = ['acme', 'globex', '10', '2', 'ñ'];

function randomStrategyConfig(random: Random): RouteConfig['strategyConfig'] {
  if (random.chance(0.4)) return null;
  const config: NonNullable<RouteConfig['strategyConfig']> = {};
  if (random.chance(0.7)) config.headerName = random.pick(['X-Tenant', '']);
  if (random.chance(0.6)) config.defaultBackend = random.pick([...REFERENCED_IDS, '']);
  if (random.chance(0.6)) {
    config.routingRules = Object.fromEntries(
      random.some(RULE_VALUES, 3).map((value) => [value, random.pick(REFERENCED_IDS)]),
    );
  }
  return config;
}

function randomRetryPolicy(random: Random): RouteConfig['retryPolicy'] {
  if (random.chance(0.5)) return null;
  return {
    maxAttempts: 3,
    initialDelayMs: random.pick(DELAYS),
    maxDelayMs: random.pick(DELAYS),
    retryOnStatus: [502, 503],
    retryOnConnectError: true,
    methods: ['GET'],
  };
}

function randomBackendIds(random: Random): string[] {
  return [random.pick(REFERENCED_IDS), ...random.some(REFERENCED_IDS, 3)];
}

function randomTrafficSplit(random: Random): RouteConfig['trafficSplit'] {
  if (random.chance(0.6)) return null;
  return {
    deploymentId: 'd1',
    strategy: random.pick(['Canary', 'BlueGreen', 'Rolling'] as const),
    canaryPercentage: random.pick([0, 10, 100]),
    canary: {
      backendIds: randomBackendIds(random),
      strategy: random.pick(['RoundRobin', 'HeaderBased'] as const),
      strategyConfig: randomStrategyConfig(random),
      timeoutSeconds: 30,
      stripPrefix: true,
      transformations: null,
      retryPolicy: randomRetryPolicy(random),
      circuitBreaker: null,
      version: random.pick(['2.0', 'deux']),
    },
    pinHeader: random.pick(['X-Canary', 'x-canary', 'X-Preview']),
    previewHeader: random.pick(['X-Preview', 'X-CANARY']),
    rolloutDataPlaneIds: random.some(['dp-1', 'dp-2', 'dp-3'], 3),
  };
}

function randomRoute(random: Random): RouteConfig {
  return {
    routeId: random.pick(ROUTE_IDS),
    name: random.pick(ROUTE_NAMES),
    pathPattern: random.pick(PATTERNS),
    host: random.pick(HOSTS),
    methods: random.some(METHODS, 2),
    backendIds: randomBackendIds(random),
    strategy: random.pick(['RoundRobin', 'HeaderBased', 'WeightedRoundRobin'] as const),
    strategyConfig: randomStrategyConfig(random),
    timeoutSeconds: random.pick([1, 30]),
    isEnabled: random.chance(0.8),
    priority: random.pick([0, 1]),
    stripPrefix: random.chance(0.5),
    transformations: random.chance(0.7)
      ? null
      : {
          request: {
            addHeaders: { '10': 'ten', '9': 'nine', 'X-Who': '日本 ✓' },
            removeHeaders: ['X-Drop'],
            rewritePath: null,
          },
          response: { addHeaders: {}, removeHeaders: [] },
        },
    rateLimit: null,
    circuitBreaker: random.chance(0.7)
      ? null
      : { enabled: true, failureThreshold: 5, openDurationMs: 30_000, successThreshold: 3 },
    retryPolicy: randomRetryPolicy(random),
    version: '1.0',
    trafficSplit: randomTrafficSplit(random),
  };
}

function randomBackend(random: Random): BackendConfig {
  const backendId = random.pick(BACKEND_IDS);
  return {
    backendId,
    name: random.pick([backendId, `naïve ${backendId}`]),
    url: `http://127.0.0.1:${random.pick([80, 8080])}/${backendId}`,
    weight: random.pick([0, 100]),
    isEnabled: random.chance(0.8),
    healthStatus: random.pick(['Unknown', 'Healthy'] as const),
    healthCheck: random.chance(0.7)
      ? null
      : {
          type: 'HTTP',
          endpoint: '/health',
          intervalMs: 5000,
          timeoutMs: 3000,
          unhealthyThreshold: 3,
          healthyThreshold: 2,
          expectedStatus: 200,
          expectedBody: random.pick([null, 'ok ✓']),
          headers: { '2': 'two', 'X-Probe': 'é' },
        },
    connectionPool: null,
    timeouts: random.chance(0.5) ? null : { connectMs: 5000, readMs: 30_000 },
  };
}

type Freezing = 'none' | 'deep' | 'top only';

function frozen<T extends object>(value: T, freezing: Freezing): T {
  if (freezing === 'deep') return deepFreeze(value);
  if (freezing === 'top only') return Object.freeze(value);
  return value;
}

/**
 * A sequence of snapshot contents, each sharing entities with earlier ones (as consecutive snapshots do) at other
 * indexes, alongside new ones, deep-frozen, frozen at the top only, or not frozen.
 */
function randomContents(random: Random, length: number): SnapshotContent[] {
  const knownRoutes: RouteConfig[] = [];
  const knownBackends: BackendConfig[] = [];
  const contents: SnapshotContent[] = [];
  for (let step = 0; step < length; step++) {
    const previous = contents[contents.length - 1];
    const routes = Array.from({ length: random.count(8) }, () => {
      if (knownRoutes.length > 0 && random.chance(0.6)) return random.pick(knownRoutes);
      const route = frozen(randomRoute(random), random.pick(['none', 'deep', 'deep', 'top only'] as const));
      knownRoutes.push(route);
      return route;
    });
    const backends =
      previous !== undefined && random.chance(0.4)
        ? [...previous.backends]
        : Array.from({ length: random.count(7) }, () => {
            if (knownBackends.length > 0 && random.chance(0.5)) return random.pick(knownBackends);
            const backend = frozen(randomBackend(random), random.pick(['none', 'deep', 'deep', 'top only'] as const));
            knownBackends.push(backend);
            return backend;
          });
    contents.push({ schemaVersion: 1, settings: { defaultTimeoutSeconds: random.pick([30, 60]) }, routes, backends });
  }
  return contents;
}

/** The message with quoted values and indexes left out: the kind of issue. */
function issueKind(issue: ValidationIssue): string {
  return issue.message.replace(/"[^"]*"/g, '"…"').replace(/\[\d+\]/g, '[…]');
}

describe('crossCheck and the content hash of snapshots sharing entities', () => {
  const SEEDS = Array.from({ length: 60 }, (_, index) => 1000 + index);

  it.each(SEEDS)('equal the reference implementations on random snapshot sequences (seed %i)', (seed) => {
    const random = randomSource(seed);
    for (const content of randomContents(random, 25)) {
      const expectedIssues = referenceCrossCheck(content);
      expect(crossCheck(content)).toEqual(expectedIssues);
      expect(crossCheck(content)).toEqual(expectedIssues);
      expect(hashSnapshotContent(content)).toBe(referenceHash(content));
    }
  });

  it('meet every kind of issue and valid snapshots in those sequences', () => {
    const kinds = new Set<string>();
    let validCount = 0;
    for (const seed of SEEDS) {
      for (const content of randomContents(randomSource(seed), 25)) {
        const issues = referenceCrossCheck(content);
        if (issues.length === 0) validCount += 1;
        for (const issue of issues) kinds.add(issueKind(issue));
      }
    }
    expect(validCount).toBeGreaterThan(20);
    expect([...kinds].sort()).toEqual(
      [
        '"…" is used by another backend',
        '"…" is used by another route',
        'routes[…] already matches the same host, path pattern, method and priority',
        'backend "…" does not exist',
        'lists a backend twice',
        'is required by HeaderBased',
        'backend "…" is not one of the route\'s backends',
        'must not exceed maxDelayMs',
        'must differ from pinHeader',
        'lists a data plane twice',
        'is only used by the Rolling strategy',
      ].sort(),
    );
  });

  it('finds a remembered route’s backend missing once the snapshot no longer has it, and found again', () => {
    const route = deepFreeze(randomRoute(randomSource(7)));
    const withBackends = (ids: readonly string[]): SnapshotContent => ({
      schemaVersion: 1,
      settings: { defaultTimeoutSeconds: 30 },
      routes: [{ ...route, routeId: 'first', name: 'first', host: 'first.example.com' }, route],
      backends: ids.map((backendId) => deepFreeze({ ...randomBackend(randomSource(1)), backendId })),
    });
    const every = withBackends([...REFERENCED_IDS]);
    const none = withBackends(['unrelated']);
    for (const content of [every, none, every, none, none, every]) {
      expect(crossCheck(content)).toEqual(referenceCrossCheck(content));
    }
    expect(crossCheck(none).filter((issue) => issue.path.startsWith('routes[1].backendIds')).length).toBeGreaterThan(0);
  });

  it('checks again a route frozen at the top only after its nested config changed', () => {
    const strategyConfig = { headerName: 'X-Tenant', defaultBackend: 'b1', routingRules: { acme: 'b1' } };
    const route = Object.freeze({
      ...randomRoute(randomSource(3)),
      backendIds: ['b1'],
      strategy: 'HeaderBased' as const,
      strategyConfig,
      trafficSplit: null,
    });
    const content: SnapshotContent = {
      schemaVersion: 1,
      settings: { defaultTimeoutSeconds: 30 },
      routes: [route],
      backends: [deepFreeze({ ...randomBackend(randomSource(1)), backendId: 'b1' })],
    };
    expect(crossCheck(content)).toEqual([]);
    const hashBefore = hashSnapshotContent(content);
    strategyConfig.routingRules.acme = 'b2';
    expect(crossCheck(content)).toEqual(referenceCrossCheck(content));
    expect(crossCheck(content).map((issue) => issue.path)).toEqual(['routes[0].strategyConfig.routingRules.acme']);
    expect(hashSnapshotContent(content)).toBe(referenceHash(content));
    expect(hashSnapshotContent(content)).not.toBe(hashBefore);
  });

  it('reads the backend ids again when an unfrozen backend’s id changed in place', () => {
    const backend = { ...randomBackend(randomSource(2)), backendId: 'b1' };
    const content: SnapshotContent = {
      schemaVersion: 1,
      settings: { defaultTimeoutSeconds: 30 },
      routes: [
        deepFreeze({ ...randomRoute(randomSource(4)), backendIds: ['b1'], strategyConfig: null, trafficSplit: null }),
      ],
      backends: [backend],
    };
    expect(crossCheck(content)).toEqual(referenceCrossCheck(content));
    backend.backendId = 'b2';
    expect(crossCheck(content)).toEqual(referenceCrossCheck(content));
    expect(crossCheck(content)).toEqual([{ path: 'routes[0].backendIds[0]', message: 'backend "b1" does not exist' }]);
  });

  it.each([0, 1, 127, 128, 129, 256, 257, 300])(
    'hashes %i backends as the canonical JSON of the whole content',
    (backendCount) => {
      const random = randomSource(backendCount);
      const backends = Array.from({ length: backendCount }, (_, index) =>
        deepFreeze({ ...randomBackend(random), backendId: `b${index}` }),
      );
      const routes = Array.from({ length: backendCount }, () => deepFreeze(randomRoute(random)));
      const content: SnapshotContent = { schemaVersion: 1, settings: { defaultTimeoutSeconds: 30 }, routes, backends };
      const expected = referenceHash(content);
      expect(hashSnapshotContent(content)).toBe(expected);
      expect(hashSnapshotContent(content)).toBe(expected);
      expect(
        hashCanonicalParts(
          1,
          content.settings,
          routes.map((route) =>
            referenceCanonicalJson(route.trafficSplit === null ? { ...route, trafficSplit: undefined } : route),
          ),
          backends.map(referenceCanonicalJson),
        ),
      ).toBe(expected);
    },
  );
});
