import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aBackend, aRoute, expectEventually, startTestBackend, type TestBackend } from '@hotswap/testing';
import { defineGatewayConfig, snapshotOf } from '../support/gateway-config';
import { GatewayHarness } from '../support/gateway-harness';
import { startLoadLoop } from '../support/load-loop';

// A data plane SIGKILLed and restarted with the control plane down serves its cached snapshot: proven in
// e2e/resilience.e2e-spec.ts ('keeps serving with the control plane down, restarts from its cache…').

/** Load requests the backend holds open across the signal, answered only once the data plane is stopping. */
const HELD_REQUESTS = 8;

interface HeldRequest {
  /** The path the backend saw (the load sends each request to a path of its own). */
  url: string;
  isOpen(): boolean;
  answer(): void;
}

describe.each(['1', '2'])('fault: a data plane (GATEWAY_WORKERS=%s) is stopped with SIGTERM under load', (workers) => {
  let harness: GatewayHarness;
  let backend: TestBackend;
  let dir: string;
  const held: HeldRequest[] = [];

  beforeAll(async () => {
    harness = new GatewayHarness();
    dir = mkdtempSync(join(tmpdir(), 'hotswap-fault-drain-'));
    // Holds the first HELD_REQUESTS load requests (`/<n>`) until the test answers them; answers the others at once.
    backend = await startTestBackend('app', (req, res) => {
      const answer = () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ backend: 'app', url: req.url }));
      };
      if (held.length === HELD_REQUESTS || !/^\/\d+$/.test(req.url ?? '')) return answer();
      held.push({ url: req.url ?? '', isOpen: () => !res.writableEnded && !req.socket.destroyed, answer });
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
      backends: [aBackend({ backendId: 'app', name: 'app', url: backend.url })],
      routes: [aRoute({ routeId: 'app', name: 'app', pathPattern: '/app/**', backendIds: ['app'] })],
    });
    const configFile = join(dir, 'snapshot.json');
    writeFileSync(configFile, JSON.stringify(snapshotOf(config, 1)));
    const dataPlane = await harness.startDataPlane({
      id: `dp-drain-${workers}`,
      configFile,
      env: { GATEWAY_WORKERS: workers, GATEWAY_DRAIN_SECONDS: '20' },
    });

    let sent = 0;
    /** The status each answered request got, by the path the backend saw. */
    const answered = new Map<string, number>();
    const load = startLoadLoop(() => `${dataPlane.proxyUrl}/app/${sent++}`, {
      concurrency: 16,
      maxRequests: 20_000,
      check: (result) => {
        answered.set(result.json?.url, result.status);
        expect({ status: result.status, backend: result.json?.backend }).toEqual({ status: 200, backend: 'app' });
      },
    });
    await expectEventually(() => expect(held).toHaveLength(HELD_REQUESTS));
    await expectEventually(() => expect(load.completed()).toBeGreaterThan(200), { timeoutMs: 30_000 });
    await load.pause();
    // In flight at the signal: open at the backend, unanswered to their clients.
    const heldUrls = held.map((request) => request.url);
    expect(held.filter((request) => request.isOpen()).map((request) => request.url)).toEqual(heldUrls);
    expect(heldUrls.filter((url) => answered.has(url))).toEqual([]);
    const stopping = dataPlane.stop('SIGTERM');
    await expectEventually(async () => expect((await fetch(`${dataPlane.statusUrl}/health/ready`)).status).toBe(503));
    for (const request of held) request.answer();
    await stopping;
    const outcome = await load.stop();
    expect(dataPlane.process.child.exitCode).toBe(0);

    expect({ cut: outcome.cut, refused: outcome.refused }).toEqual({ cut: [], refused: 0 });
    expect([...outcome.statuses.keys()]).toEqual([200]);
    expect(outcome.statuses.get(200)).toBe(outcome.total);
    // Each request held across the signal was answered to its client.
    expect(heldUrls.map((url) => answered.get(url))).toEqual(Array(HELD_REQUESTS).fill(200));
    expect(dataPlane.process.output()).toMatch(/"isDrained":true/);
  });
});
