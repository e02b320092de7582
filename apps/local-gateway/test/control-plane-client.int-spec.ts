import { startTestBackend, type TestBackend } from '@hotswap/testing';
import { ensureRoute, routesInListAnswer, type DemoRoute } from '../src/control-plane-client';

const route: DemoRoute = {
  name: 'demo',
  pathPattern: '/demo/**',
  backends: [{ name: 'demo-backend', url: 'http://127.0.0.1:8080' }],
  strategy: 'RoundRobin',
};

/** A fake REST API: lists `existing`, answers POST with `postStatus`. */
function fakeApi(existing: unknown, postStatus = 201): Promise<TestBackend> {
  return startTestBackend('fake-control-plane', (req, res) => {
    const isList = req.method === 'GET';
    res.writeHead(isList ? 200 : postStatus, { 'content-type': 'application/json' });
    res.end(JSON.stringify(isList ? existing : { id: 'r-1' }));
  });
}

describe('ensureRoute', () => {
  let api: TestBackend | undefined;
  afterEach(async () => api?.close());

  it('creates the route with the bearer token when no route has its name', async () => {
    api = await fakeApi({ items: [{ name: 'other' }], total: 1 });
    await expect(ensureRoute(`${api.url}/api/v1/gateway`, 'tok', route)).resolves.toBe('created');
    const post = api.received.find((request) => request.method === 'POST');
    expect(post?.url).toBe('/api/v1/gateway/routes');
    expect(post?.headers.authorization).toBe('Bearer tok');
    expect(JSON.parse(post?.body ?? '')).toEqual(route);
  });

  it('leaves an existing route of that name alone', async () => {
    api = await fakeApi([{ name: 'demo' }]);
    await expect(ensureRoute(api.url, 'tok', route)).resolves.toBe('exists');
    expect(api.received.map((request) => request.method)).toEqual(['GET']);
  });

  it('takes a conflict on creation as the route existing', async () => {
    api = await fakeApi({ data: [] }, 409);
    await expect(ensureRoute(api.url, 'tok', route)).resolves.toBe('exists');
  });

  it('fails with the answer when the API refuses the token', async () => {
    api = await startTestBackend('fake-control-plane', (_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"UNAUTHORIZED"}}');
    });
    await expect(ensureRoute(api.url, 'bad', route)).rejects.toThrow(/401.*UNAUTHORIZED/);
  });
});

describe('routesInListAnswer', () => {
  it('finds the routes in a bare array or under items, data, routes or results', () => {
    for (const answer of [
      [{ name: 'a' }],
      { items: [{ name: 'a' }] },
      { data: [{ name: 'a' }] },
      { routes: [{ name: 'a' }] },
    ]) {
      expect(routesInListAnswer(answer)).toEqual([{ name: 'a' }]);
    }
    expect(routesInListAnswer({ total: 0 })).toEqual([]);
  });
});
