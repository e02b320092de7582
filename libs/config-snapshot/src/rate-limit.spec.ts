import { aBackend, aRoute } from '@hotswap/testing';
import { rateLimitSchema } from './schema';
import { validateSnapshotContent } from './validate';

function issuesOf(rateLimit: unknown): Array<{ path: string; message: string }> {
  const route = { ...aRoute({ routeId: 'r1', pathPattern: '/api/**', backendIds: ['b1'] }), rateLimit };
  const result = validateSnapshotContent({
    schemaVersion: 1,
    settings: {},
    routes: [route],
    backends: [aBackend({ backendId: 'b1' })],
  });
  return result.ok ? [] : result.issues;
}

describe('route rateLimit', () => {
  it('fills in the defaults and adds no burst unless given (snapshots hashed before burst existed keep their hash)', () => {
    expect(rateLimitSchema.parse({ limit: 5 })).toEqual({
      algorithm: 'FixedWindow',
      limit: 5,
      window: 'minute',
      keyBy: 'ClientIP',
      keyHeader: 'X-API-Key',
      policy: 'local',
      failOpen: true,
    });
    expect(issuesOf({ algorithm: 'TokenBucket', limit: 5, burst: 50, window: 'second', policy: 'redis' })).toEqual([]);
  });

  it('names every bad field: limit 0 or negative, unknown algorithm, window, keyBy, policy', () => {
    expect(issuesOf({ limit: 0 }).map((issue) => issue.path)).toEqual(['routes[0].rateLimit.limit']);
    expect(
      issuesOf({ limit: -1, algorithm: 'Leaky', window: 'day', keyBy: 'Cookie', policy: 'memcached' })
        .map((issue) => issue.path)
        .sort(),
    ).toEqual([
      'routes[0].rateLimit.algorithm',
      'routes[0].rateLimit.keyBy',
      'routes[0].rateLimit.limit',
      'routes[0].rateLimit.policy',
      'routes[0].rateLimit.window',
    ]);
  });

  it('refuses a burst outside TokenBucket, and a burst below 1', () => {
    expect(issuesOf({ limit: 5, burst: 10 })).toEqual([
      { path: 'routes[0].rateLimit.burst', message: 'applies to the TokenBucket algorithm only' },
    ]);
    expect(issuesOf({ algorithm: 'TokenBucket', limit: 5, burst: 0 }).map((issue) => issue.path)).toEqual([
      'routes[0].rateLimit.burst',
    ]);
  });
});
