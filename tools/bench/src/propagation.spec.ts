import { percentilesOf, propagationOf } from './propagation';

describe('propagationOf', () => {
  const head = { version: 7, createdAt: '2026-01-01T00:00:00.000Z' };
  const row = (dataPlaneId: string, lastAckAt: string | null, activeVersion = 7) => ({
    dataPlaneId,
    activeVersion,
    lastAckAt,
    lastApplyMs: 3,
  });

  it('takes the last data plane’s recorded Ack, from the snapshot’s createdAt', () => {
    const propagation = propagationOf(head, [
      row('a', '2026-01-01T00:00:00.012Z'),
      row('b', '2026-01-01T00:00:00.040Z'),
    ]);
    expect(propagation).toEqual({ version: 7, ms: 40, perDataPlaneMs: { a: 12, b: 40 }, applyMs: { a: 3, b: 3 } });
  });

  it('refuses a data plane whose Ack of the version is not on record', () => {
    expect(() => propagationOf(head, [row('a', null)])).toThrow(/not on record/);
    expect(() => propagationOf(head, [row('a', '2026-01-01T00:00:00.010Z', 8)])).toThrow(/runs version 8/);
    // Reported by a Hello after a reconnect: the Ack on record is an older one.
    expect(() => propagationOf(head, [row('a', '2025-12-31T23:59:59.000Z')])).toThrow(/not on record/);
  });
});

describe('percentilesOf', () => {
  it('gives nearest-rank percentiles and the maximum', () => {
    const values = Array.from({ length: 100 }, (_, index) => 100 - index);
    expect(percentilesOf(values)).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
    expect(percentilesOf([]).count).toBe(0);
  });
});
