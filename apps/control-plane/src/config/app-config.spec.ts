import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, describeAppConfig, loadAppConfig } from './app-config';

const BASE = {
  DATABASE_URL: 'postgres://gateway:secret@127.0.0.1:5432/gateway',
  JWT_SECRET: 'jwt-secret-jwt-secret-jwt-secret-0123456789',
};
const TOKEN = 'data-plane-token-0123456789abcdef0123';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadAppConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('data-plane stream settings', () => {
  it('refuses to start without DATA_PLANE_TOKENS in production or when NODE_ENV is not set', () => {
    for (const env of [{ ...BASE, NODE_ENV: 'production' }, BASE]) {
      expect(problemsOf(env)).toEqual([expect.stringMatching(/^DATA_PLANE_TOKENS: is required/)]);
    }
  });

  it('leaves the streams open only when NODE_ENV is explicitly development or test', () => {
    expect(loadAppConfig({ ...BASE, NODE_ENV: 'development' }).dataPlaneAuth.tokens).toEqual([]);
    expect(loadAppConfig({ ...BASE, NODE_ENV: 'test' }).dataPlaneAuth.tokens).toEqual([]);
  });

  it('reads several comma-separated tokens (rotation) and refuses a short one', () => {
    const other = 'another-token-0123456789abcdef0123456';
    const config = loadAppConfig({ ...BASE, NODE_ENV: 'production', DATA_PLANE_TOKENS: ` ${TOKEN}, ${other} ` });
    expect(config.dataPlaneAuth.tokens).toEqual([TOKEN, other]);
    expect(problemsOf({ ...BASE, NODE_ENV: 'production', DATA_PLANE_TOKENS: 'short' })).toEqual([
      expect.stringMatching(/^DATA_PLANE_TOKENS: every token must be at least 32 characters/),
    ]);
  });

  it('masks the tokens and the TLS key when the config is printed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotswap-config-'));
    try {
      writeFileSync(join(dir, 'cert.pem'), 'CERT');
      writeFileSync(join(dir, 'key.pem'), 'PRIVATE-KEY-MATERIAL');
      const config = loadAppConfig({
        ...BASE,
        NODE_ENV: 'production',
        DATA_PLANE_TOKENS: TOKEN,
        GRPC_TLS_CERT_FILE: join(dir, 'cert.pem'),
        GRPC_TLS_KEY_FILE: join(dir, 'key.pem'),
      });
      expect(config.grpcTls?.key.toString()).toBe('PRIVATE-KEY-MATERIAL');
      const printed = JSON.stringify(describeAppConfig(config));
      expect(printed).not.toContain(TOKEN);
      expect(printed).not.toContain('PRIVATE-KEY-MATERIAL');
      expect(printed).not.toContain(BASE.JWT_SECRET);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports every TLS problem with the others: a client CA without a certificate, an unreadable file', () => {
    const problems = problemsOf({ ...BASE, NODE_ENV: 'production', GRPC_TLS_CLIENT_CA_FILE: '/no/such/ca.pem' });
    expect(problems).toEqual([
      expect.stringMatching(/^DATA_PLANE_TOKENS:/),
      expect.stringMatching(/^GRPC_TLS_CERT_FILE, GRPC_TLS_KEY_FILE: both are required/),
    ]);
    expect(
      problemsOf({
        ...BASE,
        NODE_ENV: 'test',
        GRPC_TLS_CERT_FILE: '/no/such/cert.pem',
        GRPC_TLS_KEY_FILE: '/no/such/key.pem',
      }),
    ).toEqual([
      'GRPC_TLS_CERT_FILE: cannot read /no/such/cert.pem (ENOENT)',
      'GRPC_TLS_KEY_FILE: cannot read /no/such/key.pem (ENOENT)',
    ]);
  });
});
