import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataPlaneConfigError, describeDataPlaneConfig, loadDataPlaneConfig, maskRedisUrl } from './data-plane-config';

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
        maxHeaderBytes: 16_384,
        maxRoutes: 10_000,
      },
      status: { host: '0.0.0.0', port: 8100 },
      cache: { keep: 3 },
      drainSeconds: 30,
      workers: availableParallelism(),
      logLevel: 'info',
      telemetry: { intervalMs: 5_000, maxSeries: 1_000 },
    });
    expect(config.dataPlaneId).toBe(`${config.hostname}-${process.pid}`);
    expect(config.cache.dir).toBe(`/srv/.hotswap/data-plane/${config.dataPlaneId}`);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('turns the access log on only when GATEWAY_ACCESS_LOG says so', () => {
    expect(loadDataPlaneConfig({}, [], '/srv').accessLog).toBe(false);
    for (const on of ['on', 'true', '1']) {
      expect(loadDataPlaneConfig({ GATEWAY_ACCESS_LOG: on }, [], '/srv').accessLog).toBe(true);
    }
    expect(loadDataPlaneConfig({ GATEWAY_ACCESS_LOG: 'off' }, [], '/srv').accessLog).toBe(false);
    expect(() => loadDataPlaneConfig({ GATEWAY_ACCESS_LOG: 'yes' }, [], '/srv')).toThrow(
      /GATEWAY_ACCESS_LOG: must be on or off/,
    );
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
        GATEWAY_MAX_HEADER_BYTES: '4096',
        GATEWAY_MAX_ROUTES: '2',
        GATEWAY_DRAIN_SECONDS: '1.5',
        GATEWAY_WORKERS: '3',
        LOG_LEVEL: 'debug',
        TELEMETRY_INTERVAL_MS: '200',
        TELEMETRY_MAX_SERIES: '50',
      },
      ['--config', 'gateway.json'],
      '/srv',
    );
    expect(config).toMatchObject({
      dataPlaneId: 'dp-1',
      controlPlaneUrl: '127.0.0.1:5001',
      configFile: '/srv/gateway.json',
      proxy: {
        host: '127.0.0.1',
        port: 0,
        maxConcurrentConnections: 50,
        maxBodyBytes: 1024,
        maxHeaderBytes: 4096,
        maxRoutes: 2,
      },
      status: { port: 9100 },
      cache: { dir: '/srv/cache', keep: 5 },
      drainSeconds: 1.5,
      workers: 3,
      logLevel: 'debug',
      telemetry: { intervalMs: 200, maxSeries: 50 },
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

  it('reads the rate-limit variables: Redis optional, its key prefix, timeout and the local key cap', () => {
    expect(loadDataPlaneConfig({}, [], '/srv').rateLimits).toEqual({
      redisUrl: undefined,
      redisKeyPrefix: 'hotswap',
      redisTimeoutMs: 50,
      localMaxKeys: 100_000,
    });
    const config = loadDataPlaneConfig(
      {
        REDIS_URL: 'redis://:secret@127.0.0.1:6379/2',
        REDIS_KEY_PREFIX: 'gw-1',
        RATE_LIMIT_REDIS_TIMEOUT_MS: '20',
        RATE_LIMIT_LOCAL_MAX_KEYS: '500',
      },
      [],
      '/srv',
    );
    expect(config.rateLimits).toEqual({
      redisUrl: 'redis://:secret@127.0.0.1:6379/2',
      redisKeyPrefix: 'gw-1',
      redisTimeoutMs: 20,
      localMaxKeys: 500,
    });
    expect(maskRedisUrl('redis://:secret@127.0.0.1:6379/2')).toBe('redis://:***@127.0.0.1:6379/2');
    expect(loadDataPlaneConfig({ REDIS_URL: '' }, [], '/srv').rateLimits.redisUrl).toBeUndefined();
    expect(() =>
      loadDataPlaneConfig({
        REDIS_URL: 'http://127.0.0.1:6379',
        REDIS_KEY_PREFIX: ':bad',
        RATE_LIMIT_LOCAL_MAX_KEYS: '0',
      }),
    ).toThrow(/REDIS_URL[\s\S]*REDIS_KEY_PREFIX[\s\S]*RATE_LIMIT_LOCAL_MAX_KEYS/);
  });
});

describe('the streams to the control plane', () => {
  const token = 'data-plane-token-0123456789abcdef0123';

  it('sends no token over plaintext and reports every 15 s by default', () => {
    const config = loadDataPlaneConfig({ CONTROL_PLANE_GRPC_URL: '127.0.0.1:5001' }, [], '/srv');
    expect(config.controlPlaneAuth).toEqual({ token: undefined, tls: undefined });
    expect(config.configHeartbeatMs).toBe(15_000);
    expect(config.testFault).toBeUndefined();
  });

  it('reads the token and the TLS files, and masks the token and key when printed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotswap-dp-config-'));
    try {
      writeFileSync(join(dir, 'ca.pem'), 'CA');
      writeFileSync(join(dir, 'client.pem'), 'CERT');
      writeFileSync(join(dir, 'client.key'), 'PRIVATE-KEY-MATERIAL');
      const config = loadDataPlaneConfig(
        {
          CONTROL_PLANE_TOKEN: token,
          CONTROL_PLANE_TLS_CA_FILE: 'ca.pem',
          CONTROL_PLANE_TLS_CERT_FILE: 'client.pem',
          CONTROL_PLANE_TLS_KEY_FILE: 'client.key',
          CONFIG_HEARTBEAT_INTERVAL_MS: '200',
        },
        [],
        dir,
      );
      expect(config.controlPlaneAuth.token).toBe(token);
      expect(config.controlPlaneAuth.tls?.key?.toString()).toBe('PRIVATE-KEY-MATERIAL');
      expect(config.configHeartbeatMs).toBe(200);
      const printed = JSON.stringify(describeDataPlaneConfig(config));
      expect(printed).not.toContain(token);
      expect(printed).not.toContain('PRIVATE-KEY-MATERIAL');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a short token, a certificate without its key or CA, and an unknown fault at once', () => {
    let problems: string[] = [];
    try {
      loadDataPlaneConfig(
        { CONTROL_PLANE_TOKEN: 'short', CONTROL_PLANE_TLS_CERT_FILE: 'client.pem', DATA_PLANE_TEST_FAULT: 'chaos' },
        [],
        '/srv',
      );
    } catch (error) {
      problems = (error as DataPlaneConfigError).problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(/^CONTROL_PLANE_TOKEN: must be at least 32 characters/),
      expect.stringMatching(/^DATA_PLANE_TEST_FAULT:/),
    ]);
    expect(() => loadDataPlaneConfig({ CONTROL_PLANE_TLS_CERT_FILE: 'client.pem' }, [], '/nowhere')).toThrow(
      /CONTROL_PLANE_TLS_CA_FILE: is required[\s\S]*a client certificate needs both/,
    );
  });
  it('traces only with an OTLP endpoint, as hotswap-data-plane named by its id, and reports bad OTEL_* with the rest', () => {
    expect(loadDataPlaneConfig({}, []).tracing.tracesEndpoint).toBeUndefined();
    expect(
      loadDataPlaneConfig({ DATA_PLANE_ID: 'dp-7', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' }, []).tracing,
    ).toMatchObject({
      tracesEndpoint: 'http://jaeger:4318/v1/traces',
      serviceName: 'hotswap-data-plane',
      serviceInstanceId: 'dp-7',
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.1,
    });
    expect(() => loadDataPlaneConfig({ GATEWAY_PORT: 'eighty', OTEL_TRACES_SAMPLER_ARG: '2' }, [])).toThrow(
      /GATEWAY_PORT[\s\S]*OTEL_TRACES_SAMPLER_ARG/,
    );
  });
});
