import type { IncomingHttpHeaders } from 'node:http';
import { rateLimitSchema } from '@hotswap/config-snapshot';
import { bearerSubject, compileRateLimitKey, type KeyedRequest } from './rate-limit-key';

const request = (headers: IncomingHttpHeaders = {}, remoteAddress = '10.0.0.7'): KeyedRequest => ({
  headers,
  socket: { remoteAddress },
});

/** An unsigned JWT with `claims` (the gateway never checks signatures). */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

const keyOf = (keyBy: 'ClientIP' | 'ApiKey' | 'UserId', hidesSecrets = false, keyHeader = 'X-API-Key') =>
  compileRateLimitKey(rateLimitSchema.parse({ limit: 1, keyBy, keyHeader }), { hidesSecrets });

describe('rate-limit keys', () => {
  it('keys ClientIP by the TCP peer, reading IPv4-mapped IPv6 as IPv4, and ignores X-Forwarded-For', () => {
    const byIp = keyOf('ClientIP');
    expect(byIp(request({ 'x-forwarded-for': '1.2.3.4' }, '::ffff:10.0.0.7'))).toBe('10.0.0.7');
    expect(byIp(request({}, '2001:db8::1'))).toBe('2001:db8::1');
  });

  it('keys ApiKey by the key header, and a request without it by its address', () => {
    const byKey = keyOf('ApiKey', false, 'X-Client-Key');
    expect(byKey(request({ 'x-client-key': 'alpha' }))).toBe('key:alpha');
    expect(byKey(request({ 'x-client-key': 'beta' }))).toBe('key:beta');
    expect(byKey(request({ 'x-client-key': '' }))).toBe('10.0.0.7');
    expect(byKey(request({ 'x-api-key': 'alpha' }))).toBe('10.0.0.7');
  });

  it('keys UserId by the sub claim of a bearer JWT, else the key header, else the address', () => {
    const byUser = keyOf('UserId', false, 'X-User-Id');
    expect(byUser(request({ authorization: `Bearer ${jwt({ sub: 'user-42' })}`, 'x-user-id': 'other' }))).toBe(
      'user:user-42',
    );
    expect(byUser(request({ authorization: `bearer ${jwt({ sub: 7 })}` }))).toBe('user:7');
    expect(byUser(request({ authorization: `Bearer ${jwt({ name: 'no sub' })}`, 'x-user-id': 'u1' }))).toBe('user:u1');
    expect(byUser(request({ authorization: 'Bearer not-a-jwt', 'x-user-id': 'u2' }))).toBe('user:u2');
    expect(byUser(request({ authorization: 'Basic dXNlcjpwYXNz' }))).toBe('10.0.0.7');
  });

  it('stores header and token keys as digests when they go to a shared store, and long keys always', () => {
    const secret = 'sk_live_0123456789';
    const hidden = keyOf('ApiKey', true)(request({ 'x-api-key': secret }));
    expect(hidden).toMatch(/^key#[A-Za-z0-9_-]{43}$/);
    expect(hidden).not.toContain(secret);
    expect(keyOf('ApiKey', true)(request({ 'x-api-key': 'other' }))).not.toBe(hidden);
    expect(keyOf('ApiKey', false)(request({ 'x-api-key': 'k'.repeat(300) }))).toMatch(/^key#/);
    expect(keyOf('ClientIP', true)(request())).toBe('10.0.0.7');
  });

  it('decodes no oversized or malformed bearer token', () => {
    expect(bearerSubject(`Bearer ${jwt({ sub: 'x', pad: 'p'.repeat(9000) })}`)).toBeUndefined();
    expect(bearerSubject('Bearer a.%%%.c')).toBeUndefined();
    expect(bearerSubject('Bearer a.b')).toBeUndefined();
    expect(bearerSubject(`Bearer ${jwt({ sub: '' })}`)).toBeUndefined();
    expect(bearerSubject(undefined)).toBeUndefined();
  });
});
