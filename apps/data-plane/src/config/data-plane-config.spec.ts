import { DataPlaneConfigError, loadDataPlaneConfig } from './data-plane-config';

describe('loadDataPlaneConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadDataPlaneConfig({}, [], '/srv');
    expect(config).toMatchObject({
      controlPlaneUrl: undefined,
      configFile: undefined,
      proxy: {
        host: '0.0.0.0',
        port: 8000,
        maxConcurrentConnections: 10_000,
        defaultTimeoutSeconds: 30,
        maxBodyBytes: 10 * 1024 * 1024,
        maxRoutes: 10_000,
      },
      status: { host: '0.0.0.0', port: 8100 },
      cache: { keep: 3 },
      drainSeconds: 30,
      logLevel: 'info',
    });
    expect(config.dataPlaneId).toBe(`${config.hostname}-${process.pid}`);
    expect(config.cache.dir).toBe(`/srv/.hotswap/data-plane/${config.dataPlaneId}`);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every variable and the --config flag', () => {
    const config = loadDataPlaneConfig(
      {
        CONTROL_PLANE_GRPC_URL: '127.0.0.1:5001',
        GATEWAY_HOST: '127.0.0.1',
        GATEWAY_PORT: '0',
        GATEWAY_STATUS_PORT: '9100',
        DATA_PLANE_ID: 'dp-1',
        SNAPSHOT_CACHE_DIR: 'cache',
        SNAPSHOT_CACHE_KEEP: '5',
        GATEWAY_MAX_CONCURRENT_CONNECTIONS: '50',
        GATEWAY_DEFAULT_TIMEOUT_SECONDS: '5',
        GATEWAY_MAX_BODY_BYTES: '1024',
        GATEWAY_MAX_ROUTES: '2',
        GATEWAY_DRAIN_SECONDS: '1.5',
        LOG_LEVEL: 'debug',
      },
      ['--config', 'gateway.json'],
      '/srv',
    );
    expect(config).toMatchObject({
      dataPlaneId: 'dp-1',
      controlPlaneUrl: '127.0.0.1:5001',
      configFile: '/srv/gateway.json',
      proxy: { host: '127.0.0.1', port: 0, maxConcurrentConnections: 50, maxBodyBytes: 1024, maxRoutes: 2 },
      status: { port: 9100 },
      cache: { dir: '/srv/cache', keep: 5 },
      drainSeconds: 1.5,
      logLevel: 'debug',
    });
    expect(loadDataPlaneConfig({}, ['--config=other.json'], '/srv').configFile).toBe('/srv/other.json');
  });

  it('reports every bad variable and argument at once', () => {
    let error: unknown;
    try {
      loadDataPlaneConfig(
        { GATEWAY_PORT: 'eighty', GATEWAY_STATUS_PORT: '70000', LOG_LEVEL: 'loud', GATEWAY_MAX_ROUTES: '0' },
        ['--verbose', '--config'],
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DataPlaneConfigError);
    const problems = (error as DataPlaneConfigError).problems;
    expect(problems).toHaveLength(6);
    for (const name of [
      'GATEWAY_PORT',
      'GATEWAY_STATUS_PORT',
      'LOG_LEVEL',
      'GATEWAY_MAX_ROUTES',
      '--verbose',
      '--config',
    ]) {
      expect(problems.some((problem) => problem.startsWith(name))).toBe(true);
    }
  });
});
