import type { IncomingMessage, ServerResponse } from 'node:http';
import { circuitBreakerSchema, retryPolicySchema } from '@hotswap/config-snapshot';
import { aBackend, aRoute, expectEventually, startTestBackend, type TestBackend } from '@hotswap/testing';
import { defineGatewayConfig } from '../support/gateway-config';
import { SNAPSHOT_SOURCES, startGatewayUnderTest, type GatewayUnderTest } from '../support/gateway-under-test';
import { startLoadLoop } from '../support/load-loop';

// Each backend holds its requests a little, so that some are in flight on the one that dies.
const slowly = (name: string) => (req: IncomingMessage, res: ServerResponse) =>
  setTimeout(() => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ backend: name, url: req.url }));
  }, 10);

describe.each(SNAPSHOT_SOURCES)('fault: a backend dies under load (%s)', (source) => {
  let doomed: TestBackend;
  let survivor: TestBackend;
  let gateway: GatewayUnderTest;

  beforeAll(async () => {
    [doomed, survivor] = await Promise.all([
      startTestBackend('doomed', slowly('doomed')),
      startTestBackend('survivor', slowly('survivor')),
    ]);
    const config = defineGatewayConfig({
      backends: [
        aBackend({ backendId: 'doomed', name: 'doomed', url: doomed.url }),
        aBackend({ backendId: 'survivor', name: 'survivor', url: survivor.url }),
      ],
      routes: [
        aRoute({
          routeId: 'pair',
          name: 'pair',
          pathPattern: '/pair/**',
          backendIds: ['doomed', 'survivor'],
          strategy: 'RoundRobin',
          retryPolicy: { ...retryPolicySchema.parse({}), maxAttempts: 3, initialDelayMs: 10, methods: ['GET'] },
          circuitBreaker: { ...circuitBreakerSchema.parse({}), failureThreshold: 3, openDurationMs: 600_000 },
        }),
      ],
    });
    gateway = await startGatewayUnderTest(source, config);
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([doomed?.close(), survivor?.close()]);
  });

  it('answers every GET from the other backend (retried, none failed) and opens the dead one’s breaker', async () => {
    const load = startLoadLoop(`${gateway.proxyUrl}/pair/x`, { concurrency: 8, maxRequests: 5_000 });
    try {
      await expectEventually(() => expect(doomed.received.length).toBeGreaterThan(50), { timeoutMs: 30_000 });
      await doomed.close();
      const atKill = load.completed();
      await expectEventually(() => expect(load.completed()).toBeGreaterThan(atKill + 300), { timeoutMs: 60_000 });
    } finally {
      const outcome = await load.stop();
      expect({ cut: outcome.cut, refused: outcome.refused }).toEqual({ cut: [], refused: 0 });
      expect(Object.fromEntries(outcome.statuses)).toEqual({ 200: outcome.total });
    }
    const { backendStates } = (await (await fetch(`${gateway.statusUrl}/config`)).json()) as {
      backendStates: Array<{ backendId: string; breakerState: string; isAvailable: boolean }>;
    };
    expect(
      backendStates.map(({ backendId, breakerState, isAvailable }) => ({ backendId, breakerState, isAvailable })),
    ).toEqual([
      { backendId: 'doomed', breakerState: 'open', isAvailable: false },
      { backendId: 'survivor', breakerState: 'closed', isAvailable: true },
    ]);
  });
});
