import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { API, countRows, startTestApp, type TestApp } from './support/test-app';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

const now = () => Math.floor(Date.now() / 1000);
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function claims(): jwt.SignOptions {
  return { issuer: t.config.auth.issuer, audience: t.config.auth.audience, subject: 'mallory', expiresIn: 300 };
}

function sign(payload: object, options: jwt.SignOptions = {}): string {
  return jwt.sign(payload, t.config.auth.jwtSecret, { ...claims(), ...options });
}

/** An unsigned token with this header: what `alg: none` attacks send. */
function unsigned(header: object, payload: object = { role: 'Admin' }): string {
  return `${base64url(header)}.${base64url({ sub: 'mallory', iss: t.config.auth.issuer, aud: t.config.auth.audience, exp: now() + 300, ...payload })}.`;
}

/** A valid Viewer token whose payload is swapped for an Admin one, keeping the Viewer's signature. */
function tamperedRole(): string {
  const [header, , signature] = t.tokens.issue({ sub: 'mallory', role: 'Viewer' }).split('.');
  const payload = base64url({
    sub: 'mallory',
    role: 'Admin',
    iss: t.config.auth.issuer,
    aud: t.config.auth.audience,
    exp: now() + 300,
  });
  return `${header}.${payload}.${signature}`;
}

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

const TOKENS: Array<[string, () => string]> = [
  ['an expired token', () => sign({ role: 'Admin' }, { expiresIn: -5 })],
  ['a token not valid yet (nbf in the future)', () => sign({ role: 'Admin' }, { notBefore: 600 })],
  ['a token signed with another secret', () => jwt.sign({ role: 'Admin' }, 'y'.repeat(48), claims())],
  ['a token with a tampered payload (Viewer made Admin)', tamperedRole],
  ['alg none', () => unsigned({ alg: 'none', typ: 'JWT' })],
  ['alg None', () => unsigned({ alg: 'None', typ: 'JWT' })],
  ['alg NONE with a signature', () => unsigned({ alg: 'NONE' }) + 'c2lnbmF0dXJl'],
  [
    'an RS256 token (key pair of the attacker)',
    () => jwt.sign({ role: 'Admin' }, privateKey, { ...claims(), algorithm: 'RS256' }),
  ],
  [
    // The RS-to-HS confusion: the attacker signs HS256 with a public key as the secret.
    'an HS256 token keyed with an RSA public key',
    () => jwt.sign({ role: 'Admin' }, publicPem, { ...claims(), algorithm: 'HS256' }),
  ],
  ['a token of another issuer', () => sign({ role: 'Admin' }, { issuer: 'evil-issuer' })],
  ['a token for another audience', () => sign({ role: 'Admin' }, { audience: 'other-api' })],
  [
    'a token without issuer',
    () =>
      jwt.sign({ role: 'Admin', aud: t.config.auth.audience }, t.config.auth.jwtSecret, {
        subject: 'm',
        expiresIn: 60,
      }),
  ],
  ['a role that does not exist', () => sign({ role: 'SuperAdmin' })],
  ['a role in another case', () => sign({ role: 'admin' })],
  ['roles as an array', () => sign({ role: ['Admin'] })],
  ['no role', () => sign({})],
  ['an empty subject', () => sign({ role: 'Admin' }, { subject: '' })],
  [
    'a subject that is not a string',
    () =>
      jwt.sign({ role: 'Admin', sub: 42 }, t.config.auth.jwtSecret, {
        issuer: t.config.auth.issuer,
        audience: t.config.auth.audience,
        expiresIn: 60,
      }),
  ],
  ['a token that is not a JWT', () => 'not-a-token'],
  ['two parts only', () => sign({ role: 'Admin' }).split('.').slice(0, 2).join('.')],
  ['four parts', () => `${sign({ role: 'Admin' })}.extra`],
  ['a header that is not JSON', () => `${Buffer.from('{alg').toString('base64url')}.${base64url({ role: 'Admin' })}.x`],
  ['a payload that is a JSON string', () => jwt.sign('"Admin"', t.config.auth.jwtSecret)],
  ['bytes that are not base64url', () => '@@@.###.$$$'],
  ['a huge token', () => 'a'.repeat(6000) + '.' + 'b'.repeat(6000) + '.c'],
];

const HEADERS: Array<[string, () => string]> = [
  ['a token without "Bearer"', () => t.tokens.issue({ sub: 'mallory', role: 'Admin' })],
  ['"Basic" credentials', () => `Basic ${Buffer.from('admin:admin').toString('base64')}`],
  ['"Bearer" without a token', () => 'Bearer'],
  ['"Bearer " and spaces', () => 'Bearer    '],
  [
    'two tokens',
    () => `Bearer ${t.tokens.issue({ sub: 'm', role: 'Admin' })} ${t.tokens.issue({ sub: 'm', role: 'Admin' })}`,
  ],
  ['"Token" as the scheme', () => `Token ${t.tokens.issue({ sub: 'mallory', role: 'Admin' })}`],
];

function expectRefused(res: { status: number; body: { error?: { code?: string } } }) {
  expect([401, 403]).toContain(res.status);
  expect(res.body.error?.code).toBe(res.status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN');
}

describe('bearer tokens an attacker may send', () => {
  it.each(TOKENS)('refuses %s, for reads and writes, and writes nothing', async (_name, token) => {
    const before = await countRows(t.sql, 'backends');
    const read = await t.request('GET', `${API}/routes`, { as: { token: token() } });
    expectRefused(read);
    const write = await t.request('POST', `${API}/backends`, {
      as: { token: token() },
      body: { name: 'mallory', url: 'http://127.0.0.1:9' },
    });
    expectRefused(write);
    expect(await countRows(t.sql, 'backends')).toBe(before);
  });

  it.each(HEADERS)('refuses %s in the Authorization header', async (_name, header) => {
    const read = await t.request('GET', `${API}/routes`, { as: null, headers: { authorization: header() } });
    expect(read.status).toBe(401);
    expect(read.body.error.code).toBe('UNAUTHORIZED');
    const write = await t.request('DELETE', `${API}/routes/route-00000000`, {
      as: null,
      headers: { authorization: header() },
    });
    expect(write.status).toBe(401);
  });

  it('accepts the same request with a valid token (the cases above fail for their token only)', async () => {
    expect((await t.request('GET', `${API}/routes`, { as: 'Viewer' })).status).toBe(200);
    const write = await t.request('POST', `${API}/backends`, {
      as: 'Admin',
      body: { name: 'legit', url: 'http://127.0.0.1:9' },
    });
    expect(write.status).toBe(201);
  });
});
