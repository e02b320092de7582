import { request } from 'node:http';
import { startDemoBackend, type DemoBackend } from '../src/main';
import { loadDemoBackendConfig } from '../src/config/demo-backend-config';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field
  json: any;
}

function call(
  backend: DemoBackend,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${backend.url}${path}`, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = undefined;
        try {
          json = JSON.parse(text);
        } catch {
          // not JSON: the test looks at text
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('demo backend', () => {
  let backend: DemoBackend;
  let other: DemoBackend;

  beforeAll(async () => {
    backend = await startDemoBackend({ port: 0, host: '127.0.0.1', name: 'blue' });
    other = await startDemoBackend({ port: 0, host: '127.0.0.1', name: 'green' });
  });
  afterAll(async () => {
    await backend.close();
    await other.close();
  });

  it('names the instance that answered in the body and in X-Served-By', async () => {
    const [a, b] = await Promise.all([call(backend, '/get'), call(other, '/get')]);
    expect([a.json.server, b.json.server]).toEqual(['blue', 'green']);
    expect(a.headers['x-served-by']).toBe('blue');
  });

  it('echoes query arguments, headers, origin and url on /get', async () => {
    const answer = await call(backend, '/get?a=1&b=2&b=3', { headers: { 'x-trace-me': 'yes' } });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.json).toMatchObject({
      path: '/get',
      args: { a: '1', b: ['2', '3'] },
      headers: { 'X-Trace-Me': 'yes', Host: `127.0.0.1:${backend.port}` },
      origin: '127.0.0.1',
      url: `http://127.0.0.1:${backend.port}/get?a=1&b=2&b=3`,
    });
  });

  it('takes the origin and scheme from the X-Forwarded headers a proxy sets', async () => {
    const answer = await call(backend, '/get', {
      headers: { 'x-forwarded-for': '203.0.113.7, 10.0.0.1', 'x-forwarded-proto': 'https', host: 'api.example.com' },
    });
    expect(answer.json.origin).toBe('203.0.113.7, 10.0.0.1');
    expect(answer.json.url).toBe('https://api.example.com/get');
  });

  it('echoes method, path, arguments and body on /anything and below', async () => {
    const answer = await call(backend, '/anything/orders/42?x=y', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ quantity: 3 }),
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      server: 'blue',
      method: 'POST',
      path: '/anything/orders/42',
      args: { x: 'y' },
      body: '{"quantity":3}',
      json: { quantity: 3 },
    });
    expect((await call(backend, '/anything', { method: 'DELETE' })).json).toMatchObject({ method: 'DELETE', body: '' });
  });

  it('returns a body that is not UTF-8 as a base64 data URL', async () => {
    const answer = await call(backend, '/anything', { method: 'PUT', body: Buffer.from([0xff, 0xfe, 0x00]) });
    expect(answer.json.body).toBe('data:application/octet-stream;base64,//4A');
    expect(answer.json.json).toBeNull();
  });

  it('answers /status/{code} with that code, for any method', async () => {
    expect((await call(backend, '/status/503')).status).toBe(503);
    expect((await call(backend, '/status/503')).json).toEqual({ server: 'blue', status: 503 });
    expect((await call(backend, '/status/201', { method: 'POST', body: 'x' })).status).toBe(201);
    const noContent = await call(backend, '/status/204');
    expect([noContent.status, noContent.text]).toEqual([204, '']);
    expect((await call(backend, '/status/abc')).status).toBe(400);
    expect((await call(backend, '/status/99')).status).toBe(400);
  });

  it('waits on /delay/{seconds} before answering, and refuses a non-number', async () => {
    const answer = await call(backend, '/delay/0.05');
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ server: 'blue', path: '/delay/0.05', delay: 0.05 });
    expect((await call(backend, '/delay/soon')).status).toBe(400);
  });

  it('answers /headers, /ip and /health', async () => {
    expect((await call(backend, '/headers', { headers: { 'x-a': 'b' } })).json.headers['X-A']).toBe('b');
    expect((await call(backend, '/ip')).json).toEqual({ server: 'blue', origin: '127.0.0.1' });
    const health = await call(backend, '/health');
    expect([health.status, health.json.status]).toEqual([200, 'ok']);
  });

  it('answers HEAD without a body', async () => {
    const answer = await call(backend, '/get', { method: 'HEAD' });
    expect([answer.status, answer.text]).toEqual([200, '']);
  });

  it('refuses other methods on read-only endpoints and unknown paths', async () => {
    const wrongMethod = await call(backend, '/get', { method: 'POST', body: 'x' });
    expect([wrongMethod.status, wrongMethod.headers.allow]).toEqual([405, 'GET, HEAD']);
    const unknown = await call(backend, '/nothing/here');
    expect([unknown.status, unknown.json.server]).toEqual([404, 'blue']);
  });

  it('closes at once with a delayed request still pending, which then fails', async () => {
    const extra = await startDemoBackend({ port: 0, host: '127.0.0.1', name: 'short-lived' });
    const pending = new Promise<string>((resolve) => {
      const req = request(`${extra.url}/delay/10`, () => resolve('answered'));
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      req.on('finish', () => void extra.close());
      req.end();
    });
    expect(await pending).toMatch(/ECONNRESET|socket hang up/);
  });
});

describe('demo backend configuration', () => {
  it('defaults to 127.0.0.1:8080', () => {
    expect(loadDemoBackendConfig({})).toEqual({ port: 8080, host: '127.0.0.1', name: 'demo-backend-8080' });
  });

  it('reads port, host and name from the environment', () => {
    expect(
      loadDemoBackendConfig({ DEMO_BACKEND_PORT: '9090', DEMO_BACKEND_HOST: '0.0.0.0', DEMO_BACKEND_NAME: 'blue' }),
    ).toEqual({ port: 9090, host: '0.0.0.0', name: 'blue' });
  });

  it('reports every bad variable at once', () => {
    expect(() => loadDemoBackendConfig({ DEMO_BACKEND_PORT: '99999', DEMO_BACKEND_HOST: ' ' })).toThrow(
      /DEMO_BACKEND_PORT[\s\S]*DEMO_BACKEND_HOST/,
    );
  });
});
