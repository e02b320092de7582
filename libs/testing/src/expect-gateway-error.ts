import type { HttpResult } from './http-client';

/**
 * Asserts (with Jest's `expect`) that a data plane made this answer itself: `status`, the JSON error envelope
 * `{"error":{"code","message","traceId","timestamp"}}` with `code`, and an `X-Trace-Id` header equal to its trace id.
 */
export function expectGatewayError(result: HttpResult, status: number, code: string): void {
  const error = (result.json as { error?: { code?: string; timestamp?: string } } | undefined)?.error;
  expect({ status: result.status, code: error?.code }).toEqual({ status, code });
  expect(result.headers['content-type']).toMatch(/^application\/json/);
  const traceId = result.headers['x-trace-id'];
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(error).toEqual({
    code,
    message: expect.any(String) as unknown,
    traceId,
    timestamp: expect.any(String) as unknown,
  });
  expect(new Date(error?.timestamp ?? '').toISOString()).toBe(error?.timestamp);
}
