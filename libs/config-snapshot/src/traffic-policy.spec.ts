import { aBackend, aRoute } from '@hotswap/testing';
import { validateSnapshotContent } from './validate';

/** Snapshot content with one route `r1` over backends `b1` and `b2`, and the route fields given. */
function withRoute(fields: Record<string, unknown>) {
  const backends = [aBackend({ backendId: 'b1' }), aBackend({ backendId: 'b2' })];
  const route = { ...aRoute({ routeId: 'r1', pathPattern: '/api/**', backendIds: ['b1', 'b2'] }), ...fields };
  return { schemaVersion: 1, settings: {}, routes: [route], backends };
}

function issuesOf(fields: Record<string, unknown>): Array<{ path: string; message: string }> {
  const result = validateSnapshotContent(withRoute(fields));
  return result.ok ? [] : result.issues;
}

describe('route traffic policies', () => {
  it('accepts the guide examples: a 90/10 strategy, a breaker, a retry policy, a rewrite with variables', () => {
    expect(
      issuesOf({
        strategy: 'WeightedRoundRobin',
        circuitBreaker: { failureThreshold: 5, openDurationMs: '30s', successThreshold: 3 },
        retryPolicy: { maxAttempts: 3, initialDelayMs: '100ms', maxDelayMs: '2s' },
        transformations: {
          request: {
            addHeaders: { 'X-Request-Id': '${requestId}' },
            rewritePath: { pattern: '^/api/v1/(.*)', replacement: '/v1/$1' },
          },
          response: { addHeaders: { 'X-Latency': '${latencyMs}ms', 'X-Request-Id': '${requestId}' } },
        },
      }),
    ).toEqual([]);
  });

  it('rejects an unknown strategy, naming the field', () => {
    expect(issuesOf({ strategy: 'Random' }).map((issue) => issue.path)).toEqual(['routes[0].strategy']);
  });

  it('rejects negative and zero numbers in breakers and retry policies, each by name', () => {
    const paths = issuesOf({
      circuitBreaker: { failureThreshold: 0, openDurationMs: -1, successThreshold: -3 },
      retryPolicy: { maxAttempts: -1, initialDelayMs: -100, maxDelayMs: 2000, retryOnStatus: [404] },
    }).map((issue) => issue.path);
    expect(paths.sort()).toEqual([
      'routes[0].circuitBreaker.failureThreshold',
      'routes[0].circuitBreaker.openDurationMs',
      'routes[0].circuitBreaker.successThreshold',
      'routes[0].retryPolicy.initialDelayMs',
      'routes[0].retryPolicy.maxAttempts',
      'routes[0].retryPolicy.retryOnStatus[0]',
    ]);
  });

  it('rejects a retry policy whose first delay exceeds its maximum, and unknown methods', () => {
    const issues = issuesOf({ retryPolicy: { initialDelayMs: '5s', maxDelayMs: '1s', methods: ['FETCH'] } });
    expect(issues.map((issue) => issue.path).sort()).toEqual(['routes[0].retryPolicy.methods[0]']);
    expect(issuesOf({ retryPolicy: { initialDelayMs: '5s', maxDelayMs: '1s' } })).toEqual([
      { path: 'routes[0].retryPolicy.initialDelayMs', message: 'must not exceed maxDelayMs' },
    ]);
  });

  it('rejects a HeaderBased default backend that does not exist', () => {
    expect(
      issuesOf({ strategy: 'HeaderBased', strategyConfig: { headerName: 'X-Tenant', defaultBackend: 'nope' } }),
    ).toEqual([
      {
        path: 'routes[0].strategyConfig.defaultBackend',
        message: 'backend "nope" is not one of the route\'s backends',
      },
    ]);
  });

  it('rejects a negative weight and unknown strategyConfig fields', () => {
    const result = validateSnapshotContent({
      ...withRoute({ strategyConfig: { headerName: 'X-A', weights: [1] } }),
      backends: [aBackend({ backendId: 'b1' }), { ...aBackend({ backendId: 'b2' }), weight: -5 }],
    });
    expect(!result.ok && result.issues.map((issue) => issue.path).sort()).toEqual([
      'backends[1].weight',
      'routes[0].strategyConfig.weights',
    ]);
  });

  it('rejects a rewrite regex that does not compile, and a replacement naming a group the pattern lacks', () => {
    expect(
      issuesOf({ transformations: { request: { rewritePath: { pattern: '^/api/(.*', replacement: '/$1' } } } }).map(
        (issue) => issue.path,
      ),
    ).toEqual(['routes[0].transformations.request.rewritePath.pattern']);
    expect(
      issuesOf({ transformations: { request: { rewritePath: { pattern: '^/api/(.*)', replacement: '/$2/$1' } } } }),
    ).toEqual([
      {
        path: 'routes[0].transformations.request.rewritePath.replacement',
        message: 'refers to group $2, which the pattern does not have',
      },
    ]);
  });

  it('rejects unknown template variables, and ${latencyMs} on the request side', () => {
    const issues = issuesOf({
      transformations: {
        request: { addHeaders: { 'X-Took': '${latencyMs}', 'X-User': '${user}' } },
        response: { addHeaders: { 'X-Host': '${hostname}' } },
      },
    });
    expect(issues).toEqual([
      {
        path: 'routes[0].transformations.request.addHeaders.X-Took',
        message: '${latencyMs} is only known for responses',
      },
      {
        path: 'routes[0].transformations.request.addHeaders.X-User',
        message: 'uses the unknown variable ${user} (known: ${requestId}, ${latencyMs})',
      },
      {
        path: 'routes[0].transformations.response.addHeaders.X-Host',
        message: 'uses the unknown variable ${hostname} (known: ${requestId}, ${latencyMs})',
      },
    ]);
  });
});
