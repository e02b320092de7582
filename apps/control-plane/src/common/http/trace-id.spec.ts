import { resolveTraceId } from './trace-id';

describe('resolveTraceId', () => {
  it('takes the trace id of a W3C traceparent', () => {
    expect(resolveTraceId({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' })).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
  });

  it('prefers traceparent over x-request-id, and ignores an all-zero or malformed traceparent', () => {
    const valid = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(resolveTraceId({ traceparent: valid, 'x-request-id': 'r1' })).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(resolveTraceId({ traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, 'x-request-id': 'r1' })).toBe(
      'r1',
    );
    expect(resolveTraceId({ traceparent: 'garbage', 'x-request-id': 'r1' })).toBe('r1');
  });

  it('ignores an x-request-id that could inject into logs or headers', () => {
    expect(resolveTraceId({ 'x-request-id': 'bad id\nwith newline' })).toMatch(/^[0-9a-f]{32}$/);
    expect(resolveTraceId({ 'x-request-id': 'a'.repeat(200) })).toMatch(/^[0-9a-f]{32}$/);
  });

  it('makes a new random id when the request carries none', () => {
    const a = resolveTraceId({});
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(resolveTraceId({})).not.toBe(a);
  });
});
