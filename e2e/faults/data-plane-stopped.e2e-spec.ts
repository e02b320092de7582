import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aBackend, aRoute, expectEventually, send, startTestBackend, type TestBackend } from '@hotswap/testing';
import { defineGatewayConfig, snapshotOf } from '../support/gateway-config';
import { GatewayHarness } from '../support/gateway-harness';
import { startLoadLoop } from '../support/load-loop';

// A data plane SIGKILLed and restarted with the control plane down serves its cached snapshot: proven in
// e2e/resilience.e2e-spec.ts ('keeps serving with the control plane down, restarts from its cache…').

describe.each(['1', '2'])('fault: a data plane (GATEWAY_WORKERS=%s) is stopped with SIGTERM under load', (workers) => {
  let harness: GatewayHarness;
  let backend: TestBackend;
  let dir: string;
  let releaseHeld: (() => void) | undefined;

  beforeAll(async () => {
    harness = new GatewayHarness();
    dir = mkdtempSync(join(tmpdir(), 'hotswap-fault-drain-'));
    // Slow enough that requests are in flight at any moment of the load; /app/held waits for the test.
    backend = await startTestBackend('slow', (req, res) => {
      const answer = () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ backend: 'slow', url: req.url }));
      };
      if (req.url === '/held') releaseHeld = answer;
      else setTimeout(answer, 20);
    });
  });

  afterAll(async () => {
    await harness?.stopAll();
    await backend?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // As a load balancer does once a data plane is being stopped (deploy/k8s: the preStop pause), the load sends no new
  // request from the signal on; every request sent before it, in flight at the signal or still in the kernel's
  // listen queue, is answered completely.
  it('answers every request in flight at the signal completely: none cut, none refused', async () => {
    const config = defineGatewayConfig({
      backends: [aBackend({ backendId: 'slow', name: 'slow', url: backend.url })],
      routes: [aRoute({ routeId: 'app', name: 'app', pathPattern: '/app/**', backendIds: ['slow'] })],
    });
    const configFile = join(dir, 'snapshot.json');
    writeFileSync(configFile, JSON.stringify(snapshotOf(config, 1)));
    const dataPlane = await harness.startDataPlane({
      id: `dp-drain-${workers}`,
      configFile,
      env: { GATEWAY_WORKERS: workers, GATEWAY_DRAIN_SECONDS: '20' },
    });

    const load = startLoadLoop(`${dataPlane.proxyUrl}/app/x`, {
      concurrency: 16,
      maxRequests: 20_000,
      check: (result) =>
        expect({ status: result.status, backend: result.json?.backend }).toEqual({ status: 200, backend: 'slow' }),
    });
    const held = send(`${dataPlane.proxyUrl}/app/held`);
    await expectEventually(() => expect(releaseHeld).toBeDefined());
    await expectEventually(() => expect(load.completed()).toBeGreaterThan(200), { timeoutMs: 30_000 });
    await load.pause();
    const stopping = dataPlane.stop('SIGTERM');
    await expectEventually(async () => expect((await fetch(`${dataPlane.statusUrl}/health/ready`)).status).toBe(503));
    releaseHeld!();
    await stopping;
    const outcome = await load.stop();
    expect(dataPlane.process.child.exitCode).toBe(0);

    expect({ cut: outcome.cut, refused: outcome.refused }).toEqual({ cut: [], refused: 0 });
    expect([...outcome.statuses.keys()]).toEqual([200]);
    expect(outcome.statuses.get(200)).toBe(outcome.total);
    // A request in flight when the signal came finished.
    expect((await held).json).toMatchObject({ backend: 'slow', url: '/held' });
    expect(dataPlane.process.output()).toMatch(/"isDrained":true/);
  });
});
