import { describeTracingConfig, parseTracingConfig, type TracingConfig } from './tracing-config';

function parsed(env: Record<string, string>): TracingConfig {
  const result = parseTracingConfig(env, { serviceName: 'hotswap-test' });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config;
}

describe('parseTracingConfig', () => {
  it('is off without an OTLP endpoint, with parent-based 10 % sampling and the default service name', () => {
    expect(parsed({})).toMatchObject({
      tracesEndpoint: undefined,
      serviceName: 'hotswap-test',
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.1,
      protocol: 'http/protobuf',
      exportDelayMs: 5000,
    });
  });

  it('appends /v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT and takes OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is', () => {
    expect(parsed({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318/' }).tracesEndpoint).toBe(
      'http://jaeger:4318/v1/traces',
    );
    expect(
      parsed({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector/custom/path',
      }).tracesEndpoint,
    ).toBe('https://collector/custom/path');
  });

  it('stays off when OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' };
    expect(parsed({ ...endpoint, OTEL_SDK_DISABLED: 'true' }).tracesEndpoint).toBeUndefined();
    expect(parsed({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }).tracesEndpoint).toBeUndefined();
  });

  it('reads the sampler, service name, protocol, headers and resource attributes', () => {
    const config = parsed({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_TRACES_SAMPLER_ARG: '0.5',
      OTEL_SERVICE_NAME: 'edge-gateway',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20secret,x-tenant=a',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=staging',
    });
    expect(config).toMatchObject({
      sampler: 'always_on',
      samplerRatio: 0.5,
      serviceName: 'edge-gateway',
      protocol: 'http/json',
      headers: { authorization: 'Bearer secret', 'x-tenant': 'a' },
      resourceAttributes: { 'deployment.environment': 'staging' },
    });
    expect(describeTracingConfig(config).headers).toEqual({ authorization: '***', 'x-tenant': '***' });
  });

  it('exports over gRPC to the host and port of either endpoint, with no /v1/traces appended', () => {
    expect(
      parsed({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317/', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }),
    ).toMatchObject({ protocol: 'grpc', tracesEndpoint: 'http://collector:4317' });
    expect(
      parsed({
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector.example:443',
      }),
    ).toMatchObject({ protocol: 'grpc', tracesEndpoint: 'https://collector.example:443' });
  });

  it('refuses a gRPC endpoint with a path and names the protocol variable that holds an unknown value', () => {
    const withPath = parseTracingConfig(
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317/v1/traces', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
      { serviceName: 'hotswap-test' },
    );
    expect(withPath).toEqual({
      ok: false,
      problems: ['OTEL_EXPORTER_OTLP_ENDPOINT: takes no path with protocol grpc (e.g. http://collector:4317)'],
    });
    const unknown = parseTracingConfig(
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc/json' },
      { serviceName: 'hotswap-test' },
    );
    expect(unknown).toEqual({
      ok: false,
      problems: [
        'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "grpc/json" is not supported (use http/protobuf, http/json, grpc)',
      ],
    });
  });

  it('refuses export headers that cannot travel as gRPC metadata, only with protocol grpc', () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317',
      OTEL_EXPORTER_OTLP_HEADERS: 'X-Tenant=a,trace-bin=b,x%20y=c,x-token=caf%C3%A9-secret',
    };
    const result = parseTracingConfig({ ...env, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, { serviceName: 'hotswap-test' });
    const problems = result.ok ? [] : result.problems;
    expect(problems).toEqual([
      'OTEL_EXPORTER_OTLP_HEADERS: "trace-bin" is not a gRPC metadata key (a-z 0-9 _ . -, no -bin suffix)',
      'OTEL_EXPORTER_OTLP_HEADERS: "x%20y" is not a gRPC metadata key (a-z 0-9 _ . -, no -bin suffix)',
      'OTEL_EXPORTER_OTLP_HEADERS: the value of x-token is not printable ASCII, as gRPC metadata requires',
    ]);
    expect(problems.join('\n')).not.toContain('secret');
    expect(parsed({ ...env, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).headers).toMatchObject({ 'X-Tenant': 'a' });
  });

  it('reports every bad variable at once, never echoing a header value', () => {
    const result = parseTracingConfig(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift',
        OTEL_TRACES_SAMPLER: 'sometimes',
        OTEL_TRACES_SAMPLER_ARG: '1.5',
        OTEL_EXPORTER_OTLP_HEADERS: 'Bearer-secret-token',
        OTEL_SDK_DISABLED: 'maybe',
      },
      { serviceName: 'hotswap-test' },
    );
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems.map((problem) => problem.split(':')[0])).toEqual([
      'OTEL_SDK_DISABLED',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_OTLP_PROTOCOL',
      'OTEL_EXPORTER_OTLP_HEADERS',
      'OTEL_TRACES_SAMPLER',
      'OTEL_TRACES_SAMPLER_ARG',
    ]);
    expect(problems.join('\n')).not.toContain('secret');
  });
});
