/** What replaces a secret in a log line. */
export const REDACTED = '***';

/**
 * Field names whose values are secrets wherever they appear (pino redact paths: top level and one or two levels
 * down, as in `{ headers: { authorization } }` or `{ req: { headers: { cookie } } }`).
 */
const SECRET_KEYS = [
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'secret',
  'jwtSecret',
  'token',
  'accessToken',
  'refreshToken',
  'apiKey',
  'x-api-key',
];

/** pino `redact` paths for SECRET_KEYS. */
export const REDACTED_PATHS: readonly string[] = SECRET_KEYS.flatMap((key) => {
  const property = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
  const join = (prefix: string) => (property.startsWith('[') ? `${prefix}${property}` : `${prefix}.${property}`);
  return [property.startsWith('[') ? property : key, join('*'), join('*.*')];
});

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/@]*):([^\s@/]*)@/gi;
const BEARER_TOKEN = /\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/gi;
const JWT = /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

/**
 * `text` with the secrets a log line must never carry replaced by REDACTED: passwords in URLs
 * (`postgres://user:***@host`), bearer and basic credentials, anything shaped like a JWT, and each of `secrets`
 * (known secret values, such as the JWT signing key) wherever it occurs.
 */
export function maskSecrets(text: string, secrets: readonly string[] = []): string {
  let masked = text;
  for (const secret of secrets) {
    if (secret !== '' && masked.includes(secret)) masked = masked.split(secret).join(REDACTED);
  }
  if (masked.includes('://')) masked = masked.replace(URL_CREDENTIALS, `$1$2:${REDACTED}@`);
  if (masked.includes('eyJ')) masked = masked.replace(JWT, REDACTED);
  return masked.replace(BEARER_TOKEN, `$1 ${REDACTED}`);
}

/** A URL with its password masked (`redis://:***@host:6379`), for printing configuration. */
export function maskUrlCredentials(url: string): string {
  return url.replace(URL_CREDENTIALS, `$1$2:${REDACTED}@`);
}
