import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { RateLimit } from '@hotswap/config-snapshot';

/** What a rate-limit key is read from: the request's headers and its TCP peer. */
export interface KeyedRequest {
  readonly headers: IncomingHttpHeaders;
  readonly socket: { readonly remoteAddress?: string | undefined };
}

/** The client a request counts for. Client addresses are used as they are; other keys carry a `key:`/`user:` prefix. */
export type RateLimitKeyOf = (req: KeyedRequest) => string;

/** Longer keys (and, with `hidesSecrets`, every header or token key) are replaced by their SHA-256 digest. */
const MAX_PLAIN_KEY_LENGTH = 200;
/** Bearer tokens longer than this are not decoded (the client is then keyed by the header, or its address). */
const MAX_TOKEN_LENGTH = 8192;

/**
 * Compiles how a route's requests are keyed (`keyBy`), once per snapshot:
 * - `ClientIP`: the TCP peer address (`::ffff:a.b.c.d` read as `a.b.c.d`). Proxies in front make every client look
 *   the same: X-Forwarded-For is not trusted, since any client can write it.
 * - `ApiKey`: the value of `keyHeader`.
 * - `UserId`: the `sub` claim of an `Authorization: Bearer` JWT, decoded WITHOUT verifying its signature (the gateway
 *   does not hold the issuer's key): fair shares between well-behaved clients, not security, since a client can
 *   forge any `sub`. Without a token carrying `sub`: the value of `keyHeader`.
 * A request without the key counts under its client address, so leaving the header out neither escapes the limit
 * nor throws every keyless client into one shared bucket. With `hidesSecrets` (keys stored in Redis), header and
 * token keys are stored as SHA-256 digests: an API key is a credential.
 */
export function compileRateLimitKey(
  config: Pick<RateLimit, 'keyBy' | 'keyHeader'>,
  options: { hidesSecrets: boolean },
): RateLimitKeyOf {
  const header = config.keyHeader.toLowerCase();
  const keyOf = (prefix: string, value: string) =>
    options.hidesSecrets || value.length > MAX_PLAIN_KEY_LENGTH ? `${prefix}#${digest(value)}` : `${prefix}:${value}`;
  switch (config.keyBy) {
    case 'ClientIP':
      return clientAddress;
    case 'ApiKey':
      return (req) => {
        const value = headerValue(req.headers, header);
        return value === undefined ? clientAddress(req) : keyOf('key', value);
      };
    case 'UserId':
      return (req) => {
        const value = bearerSubject(req.headers.authorization) ?? headerValue(req.headers, header);
        return value === undefined ? clientAddress(req) : keyOf('user', value);
      };
  }
}

/** The TCP peer address, IPv4-mapped IPv6 addresses as plain IPv4 (so that every data plane agrees). */
export function clientAddress(req: KeyedRequest): string {
  const address = req.socket.remoteAddress;
  if (address === undefined) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * The `sub` claim of a bearer JWT (`header.payload.signature`, base64url JSON), without verifying anything; undefined
 * when there is no such token or claim.
 */
export function bearerSubject(authorization: string | undefined): string | undefined {
  if (authorization === undefined || authorization.length > MAX_TOKEN_LENGTH) return undefined;
  if (authorization.length < 8 || authorization.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  const token = authorization.slice(7).trim();
  const payloadStart = token.indexOf('.') + 1;
  const payloadEnd = token.indexOf('.', payloadStart);
  if (payloadStart === 0 || payloadEnd === -1) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(token.slice(payloadStart, payloadEnd), 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const sub = typeof payload === 'object' && payload !== null ? (payload as { sub?: unknown }).sub : undefined;
  if (typeof sub === 'string' && sub !== '') return sub;
  if (typeof sub === 'number' && Number.isFinite(sub)) return String(sub);
  return undefined;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value.join(', ') : value;
  return text === undefined || text === '' ? undefined : text;
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
