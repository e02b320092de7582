import { expectEventually, startTestBackend, type TestBackend } from '@hotswap/testing';
import {
  createEmptyDatabase,
  GatewayHarness,
  type ControlPlaneProcess,
  type DataPlaneProcess,
} from './support/gateway-harness';

/**
 * The largest p99 increase a deployment accepts: tests about shares or orchestration set it so that tail latency on
 * a loaded test machine (a p99 over a few dozen canary requests is their slowest) cannot roll them back.
 */
const NO_LATENCY_JUDGEMENT = 100;

describe('deployments roll a route out through real data planes', () => {
  let database: { url: string; drop(): Promise<void> };
  let harness: GatewayHarness;
  let controlPlane: ControlPlaneProcess;
  let dataPlane: DataPlaneProcess;
  let stable: TestBackend;
  let canary: TestBackend;
  let seq = 0;

  beforeAll(async () => {
    database = await createEmptyDatabase();
    harness = new GatewayHarness(database.url);
    [stable, canary] = await Promise.all([startTestBackend('stable'), startTestBackend('canary')]);
    controlPlane = await harness.startControlPlane(undefined, { DEPLOYMENT_ANALYSIS_INTERVAL: '100ms' });
    dataPlane = await harness.startDataPlane({
      id: 'dp-deploy',
      grpcTarget: controlPlane.grpcTarget,
      env: { TELEMETRY_INTERVAL_MS: '250' },
    });
  });

  afterAll(async () => {
    await harness?.stopAll();
    await Promise.all([stable?.close(), canary?.close()]);
    await database?.drop();
  });

  /** A route on the stable backend and its version 2 on the canary backend (stored, not applied). */
  async function routeWithNewVersion(canaryUrl = canary.url): Promise<{ routeId: string; path: string }> {
    const n = ++seq;
    const route = await harness.api(controlPlane, 'POST', '/routes', {
      name: `shop-${n}`,
      pathPattern: `/shop-${n}/**`,
      backends: [{ name: 'stable', url: stable.url }],
    });
    expect(route.status).toBe(201);
    const backend = await harness.api(controlPlane, 'POST', '/backends', { name: `canary-${n}`, url: canaryUrl });
    expect(backend.status).toBe(201);
    const version = await harness.api(
      controlPlane,
      'POST',
      `/routes/${route.body.routeId}/versions`,
      { backendIds: [backend.body.backendId], version: '2.0' },
      'Operator',
    );
    expect(version.status).toBe(201);
    return { routeId: route.body.routeId as string, path: `/shop-${n}/items` };
  }

  async function waitForLatestSnapshot(): Promise<number> {
    const { body } = await harness.api(controlPlane, 'GET', '/config/versions?limit=1');
    const version = body.items[0].version as number;
    await expectEventually(async () => expect(await dataPlane.activeVersion()).toBe(version), { timeoutMs: 20_000 });
    return version;
  }

  /** The share of `requests` answered by the canary backend. */
  async function canaryShare(path: string, requests: number, headers: Record<string, string> = {}): Promise<number> {
    let fromCanary = 0;
    for (let i = 0; i < requests; i++) {
      const response = await fetch(`${dataPlane.proxyUrl}${path}/${i}`, { headers });
      expect(response.status).toBe(200);
      if (((await response.json()) as { backend: string }).backend === 'canary') fromCanary++;
    }
    return fromCanary / requests;
  }

  it('runs a canary 10% → 50% → 100% under traffic, each share within a tight band, ending on the new version', async () => {
    const { routeId, path } = await routeWithNewVersion();
    const created = await harness.api(
      controlPlane,
      'POST',
      '/deployments',
      {
        routeId,
        configVersion: '2.0',
        strategy: 'Canary',
        environment: 'staging',
        phases: [
          { name: 'canary-10', trafficPercentage: 10, duration: '1h' },
          { name: 'canary-50', trafficPercentage: 50, duration: 'PT1H' },
          { name: 'full', trafficPercentage: 100 },
        ],
        // This test judges the shares, promoted by hand: a loaded machine's tail latency must not roll it back.
        thresholds: { maxP99Increase: NO_LATENCY_JUDGEMENT },
      },
      'Operator',
    );
    expect(created.status).toBe(201);
    const deploymentId = created.body.deploymentId as string;

    await waitForLatestSnapshot();
    expect(Math.abs((await canaryShare(path, 1000)) - 0.1)).toBeLessThanOrEqual(0.02);
    expect(await canaryShare(path, 20, { 'X-Canary': 'always' })).toBe(1);

    const half = await harness.api(controlPlane, 'POST', `/deployments/${deploymentId}/promote`, {}, 'Operator');
    expect(half.body).toMatchObject({ status: 'InProgress', currentPhaseIndex: 1 });
    await waitForLatestSnapshot();
    expect(Math.abs((await canaryShare(path, 1000)) - 0.5)).toBeLessThanOrEqual(0.02);
    expect(await canaryShare(path, 20, { 'X-Canary': 'never' })).toBe(0);

    await harness.api(controlPlane, 'POST', `/deployments/${deploymentId}/promote`, { targetPercentage: 100 });
    await expectEventually(async () => {
      const { body } = await harness.api(controlPlane, 'GET', `/deployments/${deploymentId}`, undefined, 'Viewer');
      expect(body.status).toBe('Completed');
    });
    await waitForLatestSnapshot();
    expect(await canaryShare(path, 1000)).toBe(1);
    const route = await harness.api(controlPlane, 'GET', `/routes/${routeId}`);
    expect(route.body).toMatchObject({ liveVersionNumber: 2, version: '2.0', trafficSplit: null });
  });

  it('rolls a canary whose backend answers 500s back by itself within 30 s, to 100% stable', async () => {
    const failing = await startTestBackend('failing', (_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ backend: 'failing' }));
    });
    try {
      const { routeId, path } = await routeWithNewVersion(failing.url);
      const created = await harness.api(controlPlane, 'POST', '/deployments', {
        routeId,
        configVersion: 2,
        environment: 'staging',
        phases: [
          { trafficPercentage: 50, duration: '1h' },
          { trafficPercentage: 100, duration: '1h' },
        ],
        thresholds: { minRequests: 20 },
      });
      expect(created.status).toBe(201);
      const deploymentId = created.body.deploymentId as string;
      await waitForLatestSnapshot();

      const rolledBack = await expectEventually(
        async () => {
          for (let i = 0; i < 20; i++) await fetch(`${dataPlane.proxyUrl}${path}/${i}`).then((r) => r.arrayBuffer());
          const { body } = await harness.api(controlPlane, 'GET', `/deployments/${deploymentId}`);
          expect(body.status).toBe('RolledBack');
          return body;
        },
        { timeoutMs: 30_000 },
      );
      expect(rolledBack.rollbackReason).toContain('automatic rollback: canary error rate');
      expect(rolledBack.lastAnalysis).toMatchObject({ verdict: 'rollback', shouldRollback: true });
      await waitForLatestSnapshot();
      expect(await canaryShare(path, 100)).toBe(0);
    } finally {
      await failing.close();
    }
  });

  it('Rolling: one data plane runs the new version first, the others the old, then all of them', async () => {
    const others = await Promise.all(
      ['dp-rolling-1', 'dp-rolling-2'].map((id) => harness.startDataPlane({ id, grpcTarget: controlPlane.grpcTarget })),
    );
    try {
      const fleet = [dataPlane, ...others];
      const { routeId, path } = await routeWithNewVersion();
      const created = await harness.api(controlPlane, 'POST', '/deployments', {
        routeId,
        configVersion: 2,
        strategy: 'Rolling',
        environment: 'staging',
        phases: [
          { name: 'first-data-plane', trafficPercentage: 1, duration: '1h' },
          { name: 'all', trafficPercentage: 100, duration: '1h' },
        ],
      });
      expect(created.status).toBe(201);
      expect(created.body.trafficSplit.rolloutDataPlaneIds).toHaveLength(1);
      const deploymentId = created.body.deploymentId as string;
      const version = await waitForLatestSnapshot();
      const sharesOf = async () => {
        const shares: number[] = [];
        for (const member of fleet) {
          await expectEventually(async () => expect(await member.activeVersion()).toBe(version));
          let fromCanary = 0;
          for (let i = 0; i < 10; i++) {
            const response = await fetch(`${member.proxyUrl}${path}/${i}`);
            if (((await response.json()) as { backend: string }).backend === 'canary') fromCanary++;
          }
          shares.push(fromCanary / 10);
        }
        return shares;
      };
      expect((await sharesOf()).sort()).toEqual([0, 0, 1]);

      await harness.api(controlPlane, 'POST', `/deployments/${deploymentId}/promote`, {});
      const all = await waitForLatestSnapshot();
      expect(all).toBeGreaterThan(version);
      for (const member of fleet) {
        await expectEventually(async () => expect(await member.activeVersion()).toBe(all));
      }
      let fromCanary = 0;
      for (const member of fleet) {
        const response = await fetch(`${member.proxyUrl}${path}/x`);
        if (((await response.json()) as { backend: string }).backend === 'canary') fromCanary++;
      }
      expect(fromCanary).toBe(3);
    } finally {
      await Promise.all(others.map((member) => member.stop()));
    }
  });

  it('Rolling: a failure in the first batch stops the rollout and every data plane runs the old version', async () => {
    const failing = await startTestBackend('failing', (_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ backend: 'failing' }));
    });
    const others = await Promise.all(
      ['dp-rolling-1', 'dp-rolling-2'].map((id) =>
        harness.startDataPlane({ id, grpcTarget: controlPlane.grpcTarget, env: { TELEMETRY_INTERVAL_MS: '250' } }),
      ),
    );
    try {
      const fleet = [dataPlane, ...others];
      const { routeId, path } = await routeWithNewVersion(failing.url);
      const created = await harness.api(controlPlane, 'POST', '/deployments', {
        routeId,
        configVersion: 2,
        strategy: 'Rolling',
        environment: 'staging',
        phases: [
          { name: 'first-data-plane', trafficPercentage: 1, duration: '1h' },
          { name: 'all', trafficPercentage: 100, duration: '1h' },
        ],
        thresholds: { minRequests: 20 },
      });
      expect(created.status).toBe(201);
      const deploymentId = created.body.deploymentId as string;
      const batch = created.body.trafficSplit.rolloutDataPlaneIds as string[];
      expect(batch).toHaveLength(1);
      const first = fleet.find((member) => member.id === batch[0]) as DataPlaneProcess;
      expect(first).toBeDefined();
      const version = await waitForLatestSnapshot();
      for (const member of fleet) {
        await expectEventually(async () => expect(await member.activeVersion()).toBe(version));
      }
      // Only the first batch runs the new version: its requests fail, the others' succeed.
      for (const member of fleet) {
        const response = await fetch(`${member.proxyUrl}${path}/probe`);
        await response.arrayBuffer();
        expect(response.status).toBe(member === first ? 500 : 200);
      }

      const rolledBack = await expectEventually(
        async () => {
          for (const member of fleet) {
            for (let i = 0; i < 10; i++) await fetch(`${member.proxyUrl}${path}/${i}`).then((r) => r.arrayBuffer());
          }
          const { body } = await harness.api(controlPlane, 'GET', `/deployments/${deploymentId}`);
          expect(body.status).toBe('RolledBack');
          return body;
        },
        { timeoutMs: 30_000 },
      );
      expect(rolledBack.rollbackReason).toContain('automatic rollback: canary error rate');
      expect(rolledBack.currentPhaseIndex).toBe(0);
      expect(rolledBack.history.filter((entry: { event: string }) => entry.event === 'advance')).toEqual([]);
      const route = await harness.api(controlPlane, 'GET', `/routes/${routeId}`);
      expect(route.body).toMatchObject({ liveVersionNumber: 1, trafficSplit: null });

      const reverted = await waitForLatestSnapshot();
      for (const member of fleet) {
        await expectEventually(async () => expect(await member.activeVersion()).toBe(reverted));
        for (let i = 0; i < 10; i++) {
          const response = await fetch(`${member.proxyUrl}${path}/${i}`);
          expect(response.status).toBe(200);
          expect(((await response.json()) as { backend: string }).backend).toBe('stable');
        }
      }
    } finally {
      await Promise.all(others.map((member) => member.stop()));
      await failing.close();
    }
  });

  it('BlueGreen: only the preview header reaches the new version until the switch; rollback is instant', async () => {
    const { routeId, path } = await routeWithNewVersion();
    const created = await harness.api(controlPlane, 'POST', '/deployments', {
      routeId,
      configVersion: 2,
      strategy: 'BlueGreen',
      environment: 'staging',
      phases: [
        { name: 'preview', trafficPercentage: 0, duration: '1h' },
        { name: 'switch', trafficPercentage: 100, duration: '1h' },
      ],
    });
    expect(created.status).toBe(201);
    const deploymentId = created.body.deploymentId as string;
    await waitForLatestSnapshot();
    expect(await canaryShare(path, 100)).toBe(0);
    expect(await canaryShare(path, 20, { 'X-Preview': 'true' })).toBe(1);

    await harness.api(controlPlane, 'POST', `/deployments/${deploymentId}/promote`, {});
    await waitForLatestSnapshot();
    expect(await canaryShare(path, 100)).toBe(1);

    const rolledBack = await harness.api(controlPlane, 'POST', `/deployments/${deploymentId}/rollback`, {
      reason: 'switch back',
    });
    expect(rolledBack.body).toMatchObject({ status: 'RolledBack', rollbackReason: 'switch back' });
    await waitForLatestSnapshot();
    expect(await canaryShare(path, 100)).toBe(0);
    expect(await canaryShare(path, 20, { 'X-Preview': 'true' })).toBe(0);
  });

  it('refuses bad input in the error envelope and changes nothing the data planes run', async () => {
    const { routeId } = await routeWithNewVersion();
    const before = await waitForLatestSnapshot();
    const create = (body: Record<string, unknown>) =>
      harness.api(controlPlane, 'POST', '/deployments', { environment: 'staging', ...body });

    const unknownRoute = await create({ routeId: 'no-such-route', configVersion: 2 });
    expect(unknownRoute).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    const unknownVersion = await create({ routeId, configVersion: 7 });
    expect(unknownVersion).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    const notTo100 = await create({ routeId, configVersion: 2, phases: [{ trafficPercentage: 50, duration: '5m' }] });
    expect(notTo100).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_ERROR' } } });
    expect(notTo100.body.error.details).toEqual([
      { field: 'phases[0].trafficPercentage', message: 'the last phase must be at 100' },
    ]);
    const outOfRange = await create({ routeId, configVersion: 2, phases: [{ trafficPercentage: 101 }] });
    expect(outOfRange.status).toBe(400);
    const badDuration = await create({
      routeId,
      configVersion: 2,
      phases: [{ trafficPercentage: 10, duration: 'a while' }, { trafficPercentage: 100 }],
    });
    expect(badDuration.body.error.details).toEqual([
      { field: 'phases[0].duration', message: '"a while" is not a duration such as "30s", "5m" or "PT5M"' },
    ]);

    const direct = await create({ routeId, configVersion: 2, strategy: 'Direct' });
    expect(direct.status).toBe(201);
    const deploymentId = direct.body.deploymentId as string;
    await expectEventually(async () => {
      const { body } = await harness.api(controlPlane, 'GET', `/deployments/${deploymentId}`);
      expect(body.status).toBe('Completed');
    });
    const after = await waitForLatestSnapshot();
    const promote = await harness.api(controlPlane, 'POST', `/deployments/${deploymentId}/promote`, {});
    expect(promote).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT' } } });
    expect(promote.body.error.traceId).toEqual(expect.any(String));
    // Only the Direct deployment wrote snapshots (start, then completion).
    expect(after).toBe(before + 2);
    expect(await dataPlane.activeVersion()).toBe(after);
  });

  /** Starts a Canary of short phases (1-3 s, judged on no minimum of traffic nor on latency) and returns its id. */
  async function shortCanary(
    through: ControlPlaneProcess,
  ): Promise<{ deploymentId: string; routeId: string; path: string }> {
    const { routeId, path } = await routeWithNewVersion();
    const created = await harness.api(through, 'POST', '/deployments', {
      routeId,
      configVersion: 2,
      strategy: 'Canary',
      environment: 'staging',
      phases: [
        { name: 'canary-10', trafficPercentage: 10, duration: '1s' },
        { name: 'canary-50', trafficPercentage: 50, duration: '3s' },
        { name: 'full', trafficPercentage: 100 },
      ],
      thresholds: { minRequests: 0, maxP99Increase: NO_LATENCY_JUDGEMENT },
    });
    expect(created.status).toBe(201);
    return { deploymentId: created.body.deploymentId as string, routeId, path };
  }

  type Transition = { event: string; fromPhaseIndex: number | null; toPhaseIndex: number; toStatus: string };

  /** Every phase left exactly once, in order, and one completion: nothing advanced twice. */
  function expectEachPhaseOnce(history: Transition[]): void {
    const moves = history.filter((entry) => entry.event === 'advance' || entry.event === 'promote');
    // The last phase's advance is the completion.
    expect(moves.map((entry) => [entry.fromPhaseIndex, entry.toPhaseIndex, entry.toStatus])).toEqual([
      [0, 1, 'InProgress'],
      [1, 2, 'InProgress'],
      [2, 2, 'Completed'],
    ]);
    expect(history.filter((entry) => entry.toStatus === 'Completed')).toHaveLength(1);
    expect(history.filter((entry) => entry.event === 'start')).toHaveLength(1);
  }

  async function completed(through: ControlPlaneProcess, deploymentId: string): Promise<{ history: Transition[] }> {
    return expectEventually(
      async () => {
        const { body } = await harness.api(through, 'GET', `/deployments/${deploymentId}`, undefined, 'Viewer');
        expect(body.status).toBe('Completed');
        return body;
      },
      { timeoutMs: 90_000 },
    );
  }

  it('two replicas on one database and Redis advance each phase once; killing one lets the other finish', async () => {
    const replica = await harness.startControlPlane(undefined, { DEPLOYMENT_ANALYSIS_INTERVAL: '100ms' });
    const { deploymentId, routeId } = await shortCanary(replica);
    // Mid-deployment (the second phase in progress): the replica it was created on dies without a goodbye.
    await expectEventually(async () => {
      const { body } = await harness.api(controlPlane, 'GET', `/deployments/${deploymentId}`);
      expect(body).toMatchObject({ status: 'InProgress', currentPhaseIndex: 1 });
    });
    await replica.stop('SIGKILL');

    const done = await completed(controlPlane, deploymentId);
    expectEachPhaseOnce(done.history);
    const route = await harness.api(controlPlane, 'GET', `/routes/${routeId}`);
    expect(route.body).toMatchObject({ liveVersionNumber: 2, trafficSplit: null });

    // Both replicas together, nobody killed: still each phase once.
    const second = await harness.startControlPlane(undefined, { DEPLOYMENT_ANALYSIS_INTERVAL: '100ms' });
    try {
      const again = await shortCanary(second);
      expectEachPhaseOnce((await completed(second, again.deploymentId)).history);
    } finally {
      await second.stop();
    }
  }, 180_000);

  it('a control-plane restart mid-phase resumes where it stood while the data planes keep serving', async () => {
    const { deploymentId, routeId, path } = await shortCanary(controlPlane);
    await expectEventually(async () => {
      const { body } = await harness.api(controlPlane, 'GET', `/deployments/${deploymentId}`);
      expect(body).toMatchObject({ status: 'InProgress', currentPhaseIndex: 1 });
    });
    const ports = {
      http: Number(new URL(controlPlane.httpUrl).port),
      grpc: Number(controlPlane.grpcTarget.split(':')[1]),
    };
    await controlPlane.stop();

    // No control plane: the data plane serves from the snapshot it holds.
    for (let i = 0; i < 20; i++) {
      const response = await fetch(`${dataPlane.proxyUrl}${path}/${i}`);
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
    const restartedAt = Date.now();
    controlPlane = await harness.startControlPlane(ports, { DEPLOYMENT_ANALYSIS_INTERVAL: '100ms' });

    const done = await completed(controlPlane, deploymentId);
    expectEachPhaseOnce(done.history);
    // Phase 1 was left by the restarted control plane, not before it stopped nor from scratch.
    const leftPhase = (from: number) =>
      Date.parse(
        (done.history as Array<Transition & { at: string }>).find(
          (e) => e.event === 'advance' && e.fromPhaseIndex === from,
        )!.at,
      );
    expect(leftPhase(0)).toBeLessThan(restartedAt);
    expect(leftPhase(1)).toBeGreaterThanOrEqual(restartedAt);
    const route = await harness.api(controlPlane, 'GET', `/routes/${routeId}`);
    expect(route.body).toMatchObject({ liveVersionNumber: 2, trafficSplit: null });
    await waitForLatestSnapshot();
    expect(await canaryShare(path, 50)).toBe(1);
  }, 120_000);
});
