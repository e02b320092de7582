import type { IncomingMessage } from 'node:http';
import { createJsonLogger } from '@hotswap/observability';
import { setPrincipal } from '../../modules/auth/principal';
import type { AppConfig } from '../../config/app-config';
import { createControlPlaneLogger, JsonNestLogger } from './json-logger';
import { runInRequestContext } from './request-context';

describe('JsonNestLogger', () => {
  const lines: string[] = [];
  const requestFields = () => ({});
  const logger = new JsonNestLogger(
    createJsonLogger({ level: 'debug', destination: (line) => lines.push(line), mixin: requestFields }),
  );
  const last = () => JSON.parse(lines[lines.length - 1] as string);

  beforeEach(() => (lines.length = 0));

  it('writes Nest calls as JSON: the context, an error stack, object messages as fields', () => {
    logger.log('started', 'ControlPlane');
    expect(last()).toMatchObject({ level: 'info', message: 'started', context: 'ControlPlane' });
    logger.error('failed', 'Error: boom\n    at x (y.js:1:1)', 'Errors');
    expect(last()).toMatchObject({ level: 'error', message: 'failed', context: 'Errors', stack: expect.any(String) });
    logger.log({ message: 'configuration', config: { databaseUrl: 'postgres://u:pw-123@db/gw' } }, 'ControlPlane');
    expect(last()).toMatchObject({ message: 'configuration', config: { databaseUrl: 'postgres://u:***@db/gw' } });
    logger.verbose('detail');
    expect(last()).toMatchObject({ level: 'debug', message: 'detail' });
  });
});

describe('createControlPlaneLogger request fields', () => {
  it('adds the trace id and the JWT subject of the request being served, and masks its secrets', () => {
    const lines: string[] = [];
    const config = {
      logLevel: 'info',
      instanceId: 'cp-1',
      auth: { jwtSecret: 'a-secret-of-32-characters-or-more!', issuer: 'i', audience: 'a', tokenTtlSeconds: 60 },
      databaseUrl: 'postgres://app:db-pass-9@db/gw',
      redisUrl: undefined,
      dataPlaneAuth: { tokens: [] },
    } as unknown as AppConfig;
    const logger = createControlPlaneLogger(config, (line) => lines.push(line));
    const req = {} as IncomingMessage;
    setPrincipal(req, { sub: 'alice', role: 'Admin' });
    runInRequestContext({ traceId: 'trace-1', req }, () => logger.log('inside', 'Test'));
    logger.log('outside db-pass-9 a-secret-of-32-characters-or-more!', 'Test');
    const [inside, outside] = lines.map((line) => JSON.parse(line));
    expect(inside).toMatchObject({ message: 'inside', traceId: 'trace-1', userId: 'alice', instanceId: 'cp-1' });
    expect(outside).not.toHaveProperty('traceId');
    expect(outside.message).toBe('outside *** ***');
  });
});
