import { expectEventually, send, startTestBackend, type TestBackend } from '@hotswap/testing';
import { GatewayHarness, getJson, type ControlPlaneProcess, type DataPlaneProcess } from '../support/gateway-harness';
import { startOwnPostgres, type OwnServer } from '../support/own-services';

// Each answer of a control plane whose PostgreSQL is down must come within this bound: never hang.
const ANSWER_BOUND_MS = 15_000;

describe('fault: the control plane loses its PostgreSQL', () => {
  let postgres: OwnServer;
  let harness: GatewayHarness;
  let backend: TestBackend;
  let writer: ControlPlaneProcess;
  let reader: ControlPlaneProcess;
  let dataPlane: DataPlaneProcess;

  beforeAll(async () => {
    postgres = await startOwnPostgres();
    harness = new GatewayHarness(postgres.url);
    backend = await startTestBackend('steady');
    writer = await harness.startControlPlane();
    reader = await harness.startControlPlane();
    dataPlane = await harness.startDataPlane({ id: 'dp-pg-fault', grpcTarget: reader.grpcTarget });
  }, 120_000);

  afterAll(async () => {
    await harness?.stopAll();
    await backend?.close();
    await postgres?.remove();
  });

  async function call(controlPlane: ControlPlaneProcess, method: string, path: string, body?: unknown) {
    const headers: Record<string, string> = { authorization: `Bearer ${harness.token('Admin')}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return send(`${controlPlane.httpUrl}/api/v1/gateway${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs: ANSWER_BOUND_MS,
    });
  }

  const routeBody = (name: string) => ({
    name,
    pathPattern: `/${name}/**`,
    backends: [{ name: 'steady', url: backend.url }],
  });

  async function expectServed(path: string): Promise<void> {
    await expectEventually(async () => {
      const { status, body } = await getJson(`${dataPlane.proxyUrl}${path}`);
      expect(status).toBe(200);
      expect(body.backend).toBe('steady');
    });
  }

  it('answers 503 DATABASE_UNAVAILABLE while it is down, keeps data planes serving, and recovers without a restart', async () => {
    const acknowledged: string[] = [];
    const before = await call(writer, 'POST', '/routes', routeBody('before-outage'));
    expect(before.status).toBe(201);
    acknowledged.push(before.json.routeId as string);
    await expectServed('/before-outage/x');

    await postgres.stop();

    for (const [method, path, body] of [
      ['POST', '/routes', routeBody('during-outage')],
      ['GET', '/routes', undefined],
      ['GET', `/routes/${acknowledged[0]}`, undefined],
      ['GET', '/config/versions?limit=1', undefined],
    ] as const) {
      const answer = await call(writer, method, path, body);
      expect({ request: `${method} ${path}`, status: answer.status, code: answer.json?.error?.code }).toEqual({
        request: `${method} ${path}`,
        status: 503,
        code: 'DATABASE_UNAVAILABLE',
      });
      expect(answer.json.error.traceId).toBeTruthy();
    }
    const health = await call(writer, 'GET', '/health');
    expect(health.json).toMatchObject({ status: 'Degraded', database: { status: 'Down' } });
    await expectServed('/before-outage/y');

    await postgres.start();

    const after = await expectEventually(
      async () => {
        const answer = await call(writer, 'POST', '/routes', routeBody('after-outage'));
        expect(answer.status).toBe(201);
        return answer;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    acknowledged.push(after.json.routeId as string);
    // The data plane is connected to the other replica: the new snapshot reaches it through its LISTEN, reconnected.
    await expectServed('/after-outage/x');
    await reader.process.waitForOutput(/change listener reconnected/);
    await expectServed('/before-outage/z');
    const routes = await call(reader, 'GET', '/routes?limit=100');
    expect(routes.status).toBe(200);
    const routeIds = (routes.json.items as Array<{ routeId: string }>).map((route) => route.routeId);
    expect(routeIds).toEqual(expect.arrayContaining(acknowledged));
    expect(routeIds).toHaveLength(acknowledged.length);
    expect((await call(writer, 'GET', '/health')).json).toMatchObject({ status: 'Healthy' });
    expect(writer.process.isRunning() && reader.process.isRunning()).toBe(true);
  });
});
