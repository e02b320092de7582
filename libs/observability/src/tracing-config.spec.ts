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

  it('reports every bad variable at once, never echoing a header value', () => {
    const result = parseTracingConfig(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
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
