import { createJsonLogger, type JsonLoggerOptions } from './logger-pino';

function capture(options: Partial<JsonLoggerOptions> = {}) {
  const lines: string[] = [];
  const logger = createJsonLogger({ level: 'info', destination: (line) => lines.push(line), ...options });
  return { logger, lines, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('createJsonLogger', () => {
  it('writes one JSON object per line with timestamp, level, message and the fields', () => {
    const { logger, parsed } = capture({ base: { dataPlaneId: 'dp-1' }, mixin: () => ({ traceId: 'from-mixin' }) });
    logger.info({ routeName: 'users', statusCode: 200 }, 'request done');
    logger.child({ worker: 2 }).warn({ traceId: 'own' }, 'slow');
    const [first, second] = parsed();
    expect(first).toEqual({
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      level: 'info',
      message: 'request done',
      dataPlaneId: 'dp-1',
      traceId: 'from-mixin',
      routeName: 'users',
      statusCode: 200,
    });
    expect(second).toMatchObject({ level: 'warn', message: 'slow', worker: 2, traceId: 'own' });
  });

  it('drops lines below its level', () => {
    const { logger, lines } = capture({ level: 'warn' });
    logger.info('not written');
    logger.error('written');
    expect(lines).toHaveLength(1);
  });

  it('never writes a secret: headers, passwords and tokens by name, URLs, bearer tokens, JWTs and known values', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXZhbHVl';
    const { logger, lines } = capture({ secrets: ['the-signing-key-0123456789'] });
    logger.info(
      {
        headers: { authorization: `Bearer ${jwt}`, cookie: 'session=abc123cookie' },
        password: 'hunter2-password',
        config: { databaseUrl: 'postgres://app:db-password-42@db:5432/gateway', auth: { jwtSecret: 'x-secret-x' } },
        note: 'key the-signing-key-0123456789 leaked',
        error: new Error('connect redis://:redis-password-7@cache:6379 failed'),
      },
      `Authorization: Bearer opaque-token-99 and ${jwt}`,
    );
    const text = lines.join('\n');
    for (const secret of [
      jwt,
      'abc123cookie',
      'hunter2-password',
      'db-password-42',
      'x-secret-x',
      'the-signing-key-0123456789',
      'redis-password-7',
      'opaque-token-99',
    ]) {
      expect(text).not.toContain(secret);
    }
    const line = JSON.parse(lines[0] as string);
    expect(line.config.databaseUrl).toBe('postgres://app:***@db:5432/gateway');
    expect(line.error).toMatchObject({ type: 'Error', message: 'connect redis://:***@cache:6379 failed' });
    expect(line.message).toBe('Authorization: Bearer *** and ***');
  });
});
