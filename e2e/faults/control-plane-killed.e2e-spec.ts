import { expectEventually, startTestBackend, type TestBackend } from '@hotswap/testing';
import {
  createEmptyDatabase,
  GatewayHarness,
  getJson,
  type ControlPlaneProcess,
  type DataPlaneProcess,
} from '../support/gateway-harness';
import { startLoadLoop } from '../support/load-loop';

const BURST = 120;

describe('fault: the control plane is SIGKILLed during a burst of concurrent writes', () => {
  let database: { url: string; drop(): Promise<void> };
  let harness: GatewayHarness;
  let backend: TestBackend;
  let controlPlane: ControlPlaneProcess;
  let dataPlane: DataPlaneProcess;

  beforeAll(async () => {
    database = await createEmptyDatabase();
    harness = new GatewayHarness(database.url);
    backend = await startTestBackend('steady');
    controlPlane = await harness.startControlPlane();
    const created = await harness.api(controlPlane, 'POST', '/backends', {
      backendId: 'steady',
      name: 'steady',
      url: backend.url,
    });
    expect(created.status).toBe(201);
    const route = await harness.api(controlPlane, 'POST', '/routes', {
      routeId: 'steady',
      name: 'steady',
      pathPattern: '/steady/**',
      backendIds: ['steady'],
    });
    expect(route.status).toBe(201);
    dataPlane = await harness.startDataPlane({ id: 'dp-cp-killed', grpcTarget: controlPlane.grpcTarget });
  });

  afterAll(async () => {
    await harness?.stopAll();
    await backend?.close();
    await database?.drop();
  });

  it('keeps every acknowledged write, and each other one whole or absent, while data planes keep serving', async () => {
    const probe = startLoadLoop(`${dataPlane.proxyUrl}/steady/x`, { concurrency: 2, maxRequests: 100_000 });
    const ids = Array.from({ length: BURST }, (_, n) => `burst-${n}`);
    const acknowledged = new Set<string>();
    const unanswered = new Set<string>();
    const writes = ids.map((id) =>
      harness
        .api(controlPlane, 'POST', '/routes', {
          routeId: id,
          name: id,
          pathPattern: `/${id}/**`,
          backendIds: ['steady'],
        })
        .then(
          ({ status }) => {
            if (status === 201) acknowledged.add(id);
          },
          () => unanswered.add(id),
        ),
    );
    await expectEventually(() => expect(acknowledged.size).toBeGreaterThanOrEqual(5), { timeoutMs: 30_000 });
    const ports = {
      http: Number(new URL(controlPlane.httpUrl).port),
      grpc: Number(controlPlane.grpcTarget.split(':')[1]),
    };
    await controlPlane.stop('SIGKILL');
    await Promise.all(writes);
    // The kill came mid-burst: some writes never got an answer.
    expect(unanswered.size).toBeGreaterThan(0);

    controlPlane = await harness.startControlPlane(ports);
    const present = new Set<string>();
    for (const id of ids) {
      const { status } = await harness.api(controlPlane, 'GET', `/routes/${id}`);
      expect([200, 404]).toContain(status);
      if (status === 200) present.add(id);
    }
    for (const id of acknowledged) expect(present).toContain(id);

    // Never half: each route there has its audit row and is in the newest snapshot; nothing else is.
    const audit = await harness.api(controlPlane, 'GET', '/audit-logs?eventType=RouteCreated&limit=500');
    const audited = (audit.body.items as Array<{ entityId: string }>).map((row) => row.entityId);
    expect(audited.filter((id) => id !== 'steady').sort()).toEqual([...present].sort());
    const versions = await harness.api(controlPlane, 'GET', '/config/versions?limit=1');
    const newest = versions.body.items[0].version as number;
    const snapshot = await harness.api(controlPlane, 'GET', `/config/versions/${newest}`);
    const inSnapshot = (snapshot.body.routes as Array<{ routeId: string }>).map((route) => route.routeId);
    expect(inSnapshot.sort()).toEqual(['steady', ...present].sort());

    // The data plane reconnects and runs it.
    await expectEventually(async () => expect(await dataPlane.activeVersion()).toBe(newest), { timeoutMs: 30_000 });
    for (const id of present) expect((await getJson(`${dataPlane.proxyUrl}/${id}/x`)).status).toBe(200);

    const outcome = await probe.stop();
    expect({ cut: outcome.cut, refused: outcome.refused }).toEqual({ cut: [], refused: 0 });
    expect(Object.fromEntries(outcome.statuses)).toEqual({ 200: outcome.total });
  });
});
