import { findFreePort, expectEventually } from '@hotswap/testing';
import { Logger } from '../src/observability/logger';
import { TelemetryCollector, type TelemetryRoute } from '../src/telemetry/telemetry-collector';
import { TelemetryReporter } from '../src/telemetry/telemetry-reporter';
import { ScriptedTelemetryPeer } from './support/scripted-telemetry-peer';

/**
 * The reporter against a control plane that is unreachable, breaks streams or does not acknowledge. The normal flow
 * (real data planes reporting to the real control plane) runs in e2e/telemetry.e2e-spec.ts.
 */
describe('the telemetry reporter', () => {
  const route: TelemetryRoute = { routeId: 'r', variant: 'stable' };
  let peer: ScriptedTelemetryPeer | undefined;
  let reporter: TelemetryReporter | undefined;

  afterEach(async () => {
    await reporter?.stop();
    await peer?.close();
    reporter = undefined;
    peer = undefined;
  });

  function startReporter(url: string, collector: TelemetryCollector, maxPendingReports = 4): TelemetryReporter {
    const started = new TelemetryReporter({
      url,
      auth: { token: undefined, tls: undefined },
      dataPlaneId: 'dp-test',
      // Windows end when the test says (tick), not on a timer.
      intervalMs: 3_600_000,
      maxSeries: 10,
      logger: new Logger('error'),
      maxPendingReports,
      sample: async () => ({
        window: collector.drain(),
        state: { configVersion: 1, activeConnections: 0, inFlightRequests: 0, backends: [] },
      }),
    });
    started.start();
    return started;
  }

  function recordRequests(collector: TelemetryCollector, count: number): void {
    for (let index = 0; index < count; index++) {
      collector.record({ route, target: { backendId: 'b' }, lastTarget: { backendId: 'b' } }, 200, 1);
    }
  }

  const requestsIn = (reports: ScriptedTelemetryPeer['reports']) =>
    reports.reduce((sum, report) => sum + report.series.reduce((total, series) => total + series.requests, 0), 0);

  it('keeps at most its bound of reports while the control plane is unreachable, merging them, and loses no count', async () => {
    const port = await findFreePort();
    const collector = new TelemetryCollector();
    reporter = startReporter(`127.0.0.1:${port}`, collector, 4);
    for (let window = 1; window <= 20; window++) {
      recordRequests(collector, window);
      await reporter.tick();
      expect(reporter.pendingCount).toBeLessThanOrEqual(4);
    }

    peer = await ScriptedTelemetryPeer.start(port);
    await expectEventually(() => expect(reporter?.pendingCount).toBe(0), { timeoutMs: 15_000 });
    expect(peer.reports.length).toBeLessThanOrEqual(4);
    expect(requestsIn(peer.reports)).toBe((20 * 21) / 2);
    expect(peer.reports.reduce((sum, report) => sum + report.mergedWindows, 0)).toBe(20);
    expect(peer.reports.map((report) => report.sequence)).toEqual(
      [...peer.reports.map((report) => report.sequence)].sort((a, b) => a - b),
    );
    expect(peer.reports.at(-1)?.sequence).toBe(20);
  });

  it('sends unacknowledged reports again on the next stream, and acknowledged ones never', async () => {
    peer = await ScriptedTelemetryPeer.start();
    peer.isAcknowledging = false;
    const collector = new TelemetryCollector();
    reporter = startReporter(peer.target, collector);
    await expectEventually(() => expect(peer?.streamCount).toBe(1));
    for (let window = 1; window <= 3; window++) {
      recordRequests(collector, 1);
      await reporter.tick();
    }
    await expectEventually(() => expect(peer?.reports.map((report) => report.sequence)).toEqual([1, 2, 3]));
    peer.ack(1);
    await expectEventually(() => expect(reporter?.pendingCount).toBe(2));

    peer.endStreams();
    peer.isAcknowledging = true;
    await expectEventually(() => expect(reporter?.pendingCount).toBe(0), { timeoutMs: 15_000 });
    expect(peer.reports.map((report) => report.sequence)).toEqual([1, 2, 3, 2, 3]);
    expect(new Set(peer.reports.map((report) => report.bootId)).size).toBe(1);
  });

  it('drops the oldest report, not the newest, when every kept report was sent and none is acknowledged', async () => {
    peer = await ScriptedTelemetryPeer.start();
    peer.isAcknowledging = false;
    const collector = new TelemetryCollector();
    reporter = startReporter(peer.target, collector, 3);
    await expectEventually(() => expect(peer?.streamCount).toBe(1));
    for (let window = 1; window <= 6; window++) {
      recordRequests(collector, 1);
      await reporter.tick();
    }
    await expectEventually(() => expect(peer?.reports).toHaveLength(6));
    expect(reporter.pendingCount).toBe(3);
    peer.endStreams();
    peer.isAcknowledging = true;
    await expectEventually(() => expect(reporter?.pendingCount).toBe(0), { timeoutMs: 15_000 });
    expect(peer.reports.slice(6).map((report) => report.sequence)).toEqual([4, 5, 6]);
  });
});
