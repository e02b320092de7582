import * as grpc from '@grpc/grpc-js';
import { GRPC_CHANNEL_OPTIONS, loadManagementProto } from '@hotswap/proto';
import {
  expectEventually,
  startOtlpGrpcReceiver,
  startOtlpReceiver,
  type OtlpGrpcReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from '@hotswap/testing';
import { DiscoveryGrpcServer } from '../src/modules/fleet/discovery.grpc';
import { API, startTestApp, type TestApp } from './support/test-app';

/** Spans of the control plane, exported over OTLP/HTTP (JSON) to a real receiver, and the audit rows' trace ids. */
describe('control plane traces', () => {
  let receiver: OtlpReceiver;
  let t: TestApp;
  let routeCount = 0;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    t = await startTestApp({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER_ARG: '1',
      OTEL_BSP_SCHEDULE_DELAY: '50',
    });
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  async function createRoute(headers: Record<string, string> = {}): Promise<{ routeId: string; traceId: string }> {
    const n = ++routeCount;
    const res = await t.request('POST', `${API}/routes`, {
      headers,
      body: {
        name: `traced-${n}`,
        pathPattern: `/traced-${n}/**`,
        backends: [{ name: `traced-backend-${n}`, url: 'http://127.0.0.1:9' }],
      },
    });
    expect(res.status).toBe(201);
    return { routeId: res.body.routeId as string, traceId: res.headers.get('x-trace-id') as string };
  }

  function spansOf(traceId: string): ReceivedSpan[] {
    return receiver.spans.filter((span) => span.traceId === traceId);
  }

  it('exports the REST call and its snapshot publish as one trace, the trace id the audit row keeps', async () => {
    const { routeId, traceId } = await createRoute();
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const spans = await expectEventually(() => {
      const found = spansOf(traceId);
      expect(found.map((span) => span.name).sort()).toEqual([
        'POST /api/v1/gateway/routes',
        'gateway.snapshot.publish',
      ]);
      return found;
    });
    const api = spans.find((span) => span.name === 'POST /api/v1/gateway/routes') as ReceivedSpan;
    expect(api).toMatchObject({
      parentSpanId: '',
      kind: 2,
      serviceName: 'hotswap-control-plane',
      attributes: expect.objectContaining({
        'http.request.method': 'POST',
        'http.route': '/api/v1/gateway/routes',
        'http.response.status_code': 201,
      }),
    });
    const publish = spans.find((span) => span.name === 'gateway.snapshot.publish') as ReceivedSpan;
    expect(publish.parentSpanId).toBe(api.spanId);
    expect(publish.attributes['gateway.config_version']).toEqual(expect.any(Number));

    const audit = await t.request('GET', `${API}/audit-logs?entityType=Route&entityId=${routeId}`);
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((item: { traceId: string }) => item.traceId)).toEqual([traceId]);
    const { rows } = await t.sql.query<{ trace_id: string }>(
      `SELECT trace_id FROM audit_logs WHERE entity_type = 'Route' AND entity_id = $1`,
      [routeId],
    );
    expect(rows).toEqual([{ trace_id: traceId }]);
  });

  it("continues the caller's trace from its traceparent", async () => {
    const callerTraceId = '0af7651916cd43dd8448eb211c80319c';
    const callerSpanId = 'b7ad6b7169203331';
    const { routeId, traceId } = await createRoute({ traceparent: `00-${callerTraceId}-${callerSpanId}-01` });
    expect(traceId).toBe(callerTraceId);

    const api = await expectEventually(() => {
      const found = spansOf(callerTraceId).find((span) => span.name === 'POST /api/v1/gateway/routes');
      expect(found).toBeDefined();
      return found as ReceivedSpan;
    });
    expect(api.parentSpanId).toBe(callerSpanId);
    const audit = await t.request('GET', `${API}/audit-logs?entityType=Route&entityId=${routeId}`);
    expect(audit.body.items[0].traceId).toBe(callerTraceId);
  });
  it('exports a deployment transition inside the publish of the REST call that made it', async () => {
    const { routeId } = await createRoute();
    const canary = await t.request('POST', `${API}/backends`, {
      body: { name: `traced-canary-${routeCount}`, url: 'http://127.0.0.1:9' },
    });
    const version = await t.request('POST', `${API}/routes/${routeId}/versions`, {
      body: { backendIds: [canary.body.backendId], version: '2.0' },
    });
    expect(version.status).toBe(201);
    const created = await t.request('POST', `${API}/deployments`, {
      body: {
        routeId,
        configVersion: 2,
        environment: 'staging',
        phases: [
          { trafficPercentage: 10, duration: '1h' },
          { trafficPercentage: 100, duration: '1h' },
        ],
      },
    });
    expect(created.status).toBe(201);
    const deploymentId = created.body.deploymentId as string;

    const rolledBack = await t.request('POST', `${API}/deployments/${deploymentId}/rollback`, {
      body: { reason: 'traced' },
    });
    expect(rolledBack.status).toBe(200);
    const traceId = rolledBack.headers.get('x-trace-id') as string;
    const spans = await expectEventually(() => {
      const found = spansOf(traceId);
      expect(found.map((span) => span.name).sort()).toEqual([
        'POST /api/v1/gateway/deployments/:deploymentId/rollback',
        'gateway.deployment.transition',
        'gateway.snapshot.publish',
      ]);
      return found;
    });
    const publish = spans.find((span) => span.name === 'gateway.snapshot.publish') as ReceivedSpan;
    expect(spans.find((span) => span.name === 'gateway.deployment.transition')).toMatchObject({
      parentSpanId: publish.spanId,
      attributes: expect.objectContaining({
        'gateway.deployment_id': deploymentId,
        'gateway.deployment.event': 'rollback',
        'gateway.deployment.to_status': 'RolledBack',
      }),
    });
    const audit = await t.request('GET', `${API}/audit-logs?entityType=Deployment&entityId=${deploymentId}`);
    expect(audit.body.items[0]).toMatchObject({ eventType: 'DeploymentRollback', traceId });
  });
  it('exports a gRPC management call as a server span, parent of its publish, its trace id in the audit row', async () => {
    const proto = loadManagementProto().hotswap.management.v1;
    const target = `127.0.0.1:${t.app.get(DiscoveryGrpcServer).port as number}`;
    const routes = new proto.RouteService(target, grpc.credentials.createInsecure(), GRPC_CHANNEL_OPTIONS);
    const callerTraceId = '5bf92f3577b34da6a3ce929d0e0e4736';
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${t.tokens.issue({ sub: 'grpc-admin', role: 'Admin' })}`);
    metadata.set('traceparent', `00-${callerTraceId}-00f067aa0ba902b7-01`);
    const config = {
      name: 'traced-grpc',
      pathPattern: '/traced-grpc/**',
      backends: [{ name: 'traced-grpc-backend', url: 'http://127.0.0.1:9' }],
    };
    try {
      const created = await new Promise<{ routeId: string }>((resolve, reject) =>
        routes.CreateRoute({ configJson: JSON.stringify(config) }, metadata, (error, reply) =>
          error ? reject(error) : resolve(reply as { routeId: string }),
        ),
      );
      const spans = await expectEventually(() => {
        const found = spansOf(callerTraceId);
        expect(found.map((span) => span.name).sort()).toEqual([
          'gateway.snapshot.publish',
          'hotswap.management.v1.RouteService/CreateRoute',
        ]);
        return found;
      });
      const call = spans.find((span) => span.name.endsWith('/CreateRoute')) as ReceivedSpan;
      expect(call).toMatchObject({
        kind: 2,
        parentSpanId: '00f067aa0ba902b7',
        attributes: expect.objectContaining({ 'rpc.system': 'grpc', 'rpc.grpc.status_code': 0 }),
      });
      expect(spans.find((span) => span.name === 'gateway.snapshot.publish')?.parentSpanId).toBe(call.spanId);
      const audit = await t.request('GET', `${API}/audit-logs?entityType=Route&entityId=${created.routeId}`);
      expect(audit.body.items[0].traceId).toBe(callerTraceId);
    } finally {
      routes.close();
    }
  });
});

describe('control plane traces over OTLP/gRPC', () => {
  let receiver: OtlpGrpcReceiver;
  let t: TestApp;

  beforeAll(async () => {
    receiver = await startOtlpGrpcReceiver();
    t = await startTestApp({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_TRACES_SAMPLER_ARG: '1',
      OTEL_BSP_SCHEDULE_DELAY: '50',
    });
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('exports the REST call and its snapshot publish to a collector on its gRPC port', async () => {
    const res = await t.request('POST', `${API}/routes`, {
      body: {
        name: 'traced-over-grpc',
        pathPattern: '/traced-over-grpc/**',
        backends: [{ name: 'traced-over-grpc-backend', url: 'http://127.0.0.1:9' }],
      },
    });
    expect(res.status).toBe(201);
    const traceId = res.headers.get('x-trace-id') as string;

    const spans = await expectEventually(() => {
      const found = receiver.spans.filter((span) => span.traceId === traceId);
      expect(found.map((span) => span.name).sort()).toEqual([
        'POST /api/v1/gateway/routes',
        'gateway.snapshot.publish',
      ]);
      return found;
    });
    const api = spans.find((span) => span.name === 'POST /api/v1/gateway/routes') as ReceivedSpan;
    expect(api).toMatchObject({
      parentSpanId: '',
      kind: 2,
      serviceName: 'hotswap-control-plane',
      attributes: expect.objectContaining({ 'http.route': '/api/v1/gateway/routes', 'http.response.status_code': 201 }),
    });
    expect(spans.find((span) => span.name === 'gateway.snapshot.publish')?.parentSpanId).toBe(api.spanId);
  });
});
