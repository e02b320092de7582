import { childTraceparent, newTraceId, parseTraceparent, randomHex } from './trace-context';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('trace context', () => {
  it('reads the trace id and flags of a valid traceparent', () => {
    expect(parseTraceparent(VALID)).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', flags: '01' });
  });

  it('reads a later version as version 00, ignoring what follows', () => {
    expect(parseTraceparent(`01-${VALID.slice(3)}-extra`)?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it.each([
    ['missing', undefined],
    ['too short', '00-4bf92f3577b34da6-00f067aa0ba902b7-01'],
    ['uppercase', VALID.toUpperCase()],
    ['version ff', `ff-${VALID.slice(3)}`],
    ['version 00 with extra fields', `${VALID}-x`],
    ['zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['zero parent id', `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`],
  ])('rejects a traceparent that is %s', (_case, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it('makes new, distinct ids of the right length', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => newTraceId()));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(randomHex(8)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('continues the trace with a span of its own', () => {
    const child = childTraceparent('4bf92f3577b34da6a3ce929d0e0e4736', '00');
    expect(child).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-00$/);
    expect(child).not.toContain('00f067aa0ba902b7');
    expect(parseTraceparent(child)).toBeDefined();
  });
});
