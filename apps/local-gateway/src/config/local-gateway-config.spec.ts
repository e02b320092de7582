import { loadLocalGatewayConfig } from './local-gateway-config';

describe('loadLocalGatewayConfig', () => {
  it('defaults to the guide ports, the embedded PostgreSQL on 15432 and state under .hotswap', () => {
    const config = loadLocalGatewayConfig({}, '/repo', false);
    expect(config).toMatchObject({
      rootDir: '/repo',
      stateDir: '/repo/.hotswap',
      databaseUrl: undefined,
      jwtSecret: undefined,
      demoBackendHost: '127.0.0.1',
      readyTimeoutMs: 90_000,
      drainSeconds: 5,
      useColor: false,
      ports: {
        gateway: 8000,
        gatewayStatus: 8100,
        controlPlaneHttp: 5000,
        controlPlaneGrpc: 5001,
        demoBackend: 8080,
        embeddedPostgres: 15432,
      },
    });
  });

  it('takes every port, the database, the secret and the state folder from the environment', () => {
    const config = loadLocalGatewayConfig(
      {
        GATEWAY_PORT: '9000',
        GATEWAY_STATUS_PORT: '9100',
        CONTROL_PLANE_HTTP_PORT: '6000',
        CONTROL_PLANE_GRPC_PORT: '6001',
        DEMO_BACKEND_PORT: '9080',
        EMBEDDED_POSTGRES_PORT: '25432',
        DATABASE_URL: 'postgres://u:p@db:5432/gateway',
        JWT_SECRET: 'x'.repeat(32),
        HOTSWAP_STATE_DIR: '/tmp/state',
      },
      '/repo',
      true,
    );
    expect(config.ports).toEqual({
      gateway: 9000,
      gatewayStatus: 9100,
      controlPlaneHttp: 6000,
      controlPlaneGrpc: 6001,
      demoBackend: 9080,
      embeddedPostgres: 25432,
    });
    expect(config).toMatchObject({
      databaseUrl: 'postgres://u:p@db:5432/gateway',
      jwtSecret: 'x'.repeat(32),
      stateDir: '/tmp/state',
      useColor: true,
    });
  });

  it('reports every problem at once: bad ports, a port used twice, a short secret, a bad URL', () => {
    expect(() =>
      loadLocalGatewayConfig(
        { GATEWAY_PORT: 'eighty', DEMO_BACKEND_PORT: '5000', JWT_SECRET: 'short', DATABASE_URL: 'mysql://x' },
        '/repo',
        false,
      ),
    ).toThrow(/GATEWAY_PORT[\s\S]*CONTROL_PLANE_HTTP_PORT[\s\S]*DATABASE_URL[\s\S]*JWT_SECRET/);
  });

  it('lets the embedded PostgreSQL port collide with nothing when DATABASE_URL replaces it', () => {
    expect(() =>
      loadLocalGatewayConfig({ EMBEDDED_POSTGRES_PORT: '8000', DATABASE_URL: 'postgres://db/gateway' }, '/repo', false),
    ).not.toThrow();
  });

  it('turns colour off with NO_COLOR', () => {
    expect(loadLocalGatewayConfig({ NO_COLOR: '1' }, '/repo', true).useColor).toBe(false);
  });
});
