import { formatBanner } from './banner';

describe('formatBanner', () => {
  const text = formatBanner({
    ports: {
      gateway: 8000,
      gatewayStatus: 8100,
      controlPlaneHttp: 5000,
      controlPlaneGrpc: 5001,
      demoBackend: 8080,
      embeddedPostgres: 15432,
    },
    database: 'postgres://postgres:hotswap@127.0.0.1:15432/gateway',
    token: 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiQWRtaW4ifQ.c2ln',
    tokenRole: 'Admin',
    demoRoute: { name: 'demo', pathPattern: '/demo/**', backendUrl: 'http://127.0.0.1:8080' },
  });

  it('says where each part listens', () => {
    expect(text).toMatch(/proxy\s+http:\/\/localhost:8000/);
    expect(text).toMatch(/proxy status\s+http:\/\/localhost:8100\/health\/ready/);
    expect(text).toMatch(/REST API\s+http:\/\/localhost:5000\/api\/v1\/gateway/);
    expect(text).toMatch(/Swagger UI\s+http:\/\/localhost:5000\/swagger/);
    expect(text).toMatch(/gRPC\s+localhost:5001/);
    expect(text).toMatch(/PostgreSQL\s+postgres:\/\/postgres:hotswap@127\.0\.0\.1:15432\/gateway/);
  });

  it('gives the token and commands ready to paste', () => {
    expect(text).toContain('export TOKEN=eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiQWRtaW4ifQ.c2ln');
    expect(text).toContain('curl http://localhost:8000/demo/get');
    expect(text).toContain('curl -X POST http://localhost:5000/api/v1/gateway/routes');
    const body = /-d '(.*)'/.exec(text)?.[1];
    expect(JSON.parse(body as string)).toEqual({
      name: 'echo',
      pathPattern: '/echo/**',
      backends: [{ name: 'echo-backend', url: 'http://127.0.0.1:8080' }],
      strategy: 'RoundRobin',
    });
  });
});
