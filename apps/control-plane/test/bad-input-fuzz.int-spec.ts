import { randomInt } from 'node:crypto';
import { Agent } from 'node:http';
import { send, type HttpResult, seededRandom } from '@hotswap/testing';
import { API, startTestApp, type TestApp } from './support/test-app';

/**
 * Sends generated malformed requests to every write endpoint of the REST API and asserts that each is answered
 * 4xx in the error envelope and that nothing was written. FUZZ_SEED reproduces a run, FUZZ_REQUESTS sizes it.
 */
const SEED = Number(process.env['FUZZ_SEED'] ?? randomInt(1, 2 ** 31));
const REQUESTS = Number(process.env['FUZZ_REQUESTS'] ?? 1200);
/** About 15 s alone on a 2-core machine; the margin is for a machine busy with other suites. */
const FUZZ_TIMEOUT_MS = 180_000;
const CONCURRENCY = 8;

type Json = unknown;

interface Ids {
  routeId: string;
  backendId: string;
  deploymentId: string;
  rollbackId: string;
}

interface Endpoint {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path for an id (existing or hostile); undefined when the path has no id. */
  path: (id: string) => string;
  /** Which existing id the path takes, when a malformed body alone makes the request invalid. */
  existing?: keyof Ids;
  /** A valid body: the fuzzer breaks it. Absent: the endpoint takes no body (or an empty one is valid). */
  valid?: (ids: Ids) => Record<string, Json>;
  /** Fields whose `null` is a valid value. */
  nullable?: readonly string[];
  /** Whether no body at all is valid (approve, reject): then a body that is not parsed is a legal request. */
  isBodyOptional?: boolean;
}

const NULLABLE_ROUTE = ['host', 'strategyConfig', 'transformations', 'rateLimit', 'circuitBreaker', 'retryPolicy'];
const NULLABLE_BACKEND = ['healthCheck', 'connectionPool', 'timeouts'];

const routeBody = (ids: Ids) => ({
  name: 'fuzzed',
  pathPattern: '/fuzz/**',
  backendIds: [ids.backendId],
  methods: ['GET'],
  timeoutSeconds: 10,
  priority: 1,
  isEnabled: true,
  strategy: 'RoundRobin',
  rateLimit: { algorithm: 'FixedWindow', limit: 10, window: 'minute', key: 'ClientIP' },
});
const backendBody = () => ({ name: 'fuzzed', url: 'http://127.0.0.1:39999', weight: 5, isEnabled: true });

const ENDPOINTS: Endpoint[] = [
  { method: 'POST', path: () => '/routes', valid: routeBody, nullable: NULLABLE_ROUTE },
  { method: 'PUT', path: (id) => `/routes/${id}`, existing: 'routeId', valid: routeBody, nullable: NULLABLE_ROUTE },
  { method: 'PATCH', path: (id) => `/routes/${id}`, existing: 'routeId', valid: routeBody, nullable: NULLABLE_ROUTE },
  { method: 'DELETE', path: (id) => `/routes/${id}` },
  {
    method: 'POST',
    path: (id) => `/routes/${id}/versions`,
    existing: 'routeId',
    valid: routeBody,
    nullable: NULLABLE_ROUTE,
  },
  { method: 'POST', path: () => '/backends', valid: backendBody, nullable: NULLABLE_BACKEND },
  {
    method: 'PUT',
    path: (id) => `/backends/${id}`,
    existing: 'backendId',
    valid: backendBody,
    nullable: NULLABLE_BACKEND,
  },
  {
    method: 'PATCH',
    path: (id) => `/backends/${id}`,
    existing: 'backendId',
    valid: backendBody,
    nullable: NULLABLE_BACKEND,
  },
  { method: 'DELETE', path: (id) => `/backends/${id}` },
  {
    method: 'POST',
    path: () => '/deployments',
    valid: (ids) => ({
      routeId: ids.routeId,
      configVersion: 2,
      strategy: 'Canary',
      environment: 'staging',
      phases: [{ name: 'all', trafficPercentage: 100, duration: '1m' }],
      thresholds: { minRequests: 1 },
      pinHeader: 'X-Canary',
    }),
  },
  ...(['approve', 'reject'] as const).map((action): Endpoint => ({
    method: 'POST',
    path: (id) => `/deployments/${id}/${action}`,
    existing: 'deploymentId',
    valid: () => ({ comment: 'looks good' }),
    isBodyOptional: true,
  })),
  ...(['promote', 'rollback', 'pause', 'resume'] as const).map((action): Endpoint => ({
    method: 'POST',
    path: (id) => `/deployments/${id}/${action}`,
  })),
  {
    method: 'POST',
    path: () => '/config/rollback',
    valid: () => ({ version: 1, reason: 'fuzz', environment: 'production' }),
  },
  ...(['approve', 'reject'] as const).map((action): Endpoint => ({
    method: 'POST',
    path: (id) => `/config/rollbacks/${id}/${action}`,
    existing: 'rollbackId',
    valid: () => ({ comment: 'fine' }),
    isBodyOptional: true,
  })),
  { method: 'POST', path: () => '/health-checks', valid: (ids) => ({ backendId: ids.backendId }) },
  {
    method: 'PUT',
    path: (id) => `/backends/${id}/draining`,
    existing: 'backendId',
    valid: () => ({ draining: true }),
  },
  {
    method: 'PUT',
    path: (id) => `/backends/${id}/circuit-breaker`,
    existing: 'backendId',
    valid: () => ({ state: 'open' }),
  },
];

/** Ids that name nothing, written as they go on the wire (already percent-encoded where needed). */
const HOSTILE_IDS = [
  '..',
  '..%2F..%2Fbackends',
  '%2E%2E%2F',
  '%2F',
  'a%2Fb',
  'route%00',
  '%00',
  '%ZZ',
  '%E0%A4%A',
  '%C0%AE%C0%AE',
  encodeURIComponent('rüte-ü'),
  encodeURIComponent('🦄'),
  encodeURIComponent("' OR 1=1 --"),
  encodeURIComponent('x'.repeat(300)),
  'x'.repeat(6000),
  '%20',
  encodeURIComponent('{}'),
  'route-00000000',
  'backend-00000000',
  'deploy-00000000',
  '12345678-1234-1234-1234-123456789012',
  '-1',
  '0',
  '9999999999999999999999',
  'NaN',
  '__proto__',
  'constructor',
];

const BROKEN_JSON = [
  '{',
  '}',
  '{"name":}',
  '{"name": "a",}',
  '[1, 2',
  'nul',
  "{'name': 'single'}",
  '{"a": 1} trailing',
  '\u0000',
  '\ufeff{"name": }',
  '{"a": "\\ud800"}',
  '{"a": 1e999999}',
  '{"a": -}',
  'undefined',
  'NaN',
  '{"__proto__": {"isAdmin": true}}',
  '\x01\x02\x03\xff',
  '{"a": "' + 'b'.repeat(20_000),
];

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset=nope',
  'application/jsonx',
  '',
];

function jsonType(value: Json): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

function deepArray(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

function deepObject(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

interface FuzzCase {
  method: string;
  path: string;
  body?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  /** What was done, for the failure message. */
  label: string;
}

class CaseGenerator {
  private readonly random: () => number;

  constructor(
    seed: number,
    private readonly ids: Ids,
  ) {
    this.random = seededRandom(seed);
  }

  private int(n: number): number {
    return Math.floor(this.random() * n);
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** A value of another JSON type than `valid` (and not null where null is valid). */
  private wrongValue(valid: Json, isNullable: boolean): { value: Json; raw?: string; label: string } {
    const candidates: Array<() => { value: Json; raw?: string; label: string }> = [
      () => ({ value: 'not-' + 'x'.repeat(this.int(20)), label: 'string' }),
      () => ({ value: 'x'.repeat(100_000 + this.int(100_000)), label: 'huge string' }),
      () => ({ value: '\u0000\u202e🦄\ud83d', label: 'control/unicode string' }),
      () => ({ value: this.pick([-1, 0, 1.5, 1e308, -1e308, 2 ** 53 + 1]), label: 'number' }),
      () => ({ value: this.random() < 0.5, label: 'boolean' }),
      () => ({ value: [], label: 'empty array' }),
      () => ({ value: Array.from({ length: 5000 + this.int(5000) }, (_, i) => i), label: 'huge array' }),
      () => ({ value: { $ne: null, __proto__: { polluted: true } }, label: 'object' }),
      () => ({ value: null, raw: deepArray(500 + this.int(5000)), label: 'deep array' }),
      () => ({ value: null, raw: deepObject(500 + this.int(5000)), label: 'deep object' }),
    ];
    if (!isNullable) candidates.push(() => ({ value: null, label: 'null' }));
    for (;;) {
      const candidate = this.pick(candidates)();
      if (candidate.raw !== undefined || jsonType(candidate.value) !== jsonType(valid)) return candidate;
    }
  }

  private hostileId(): string {
    return this.pick(HOSTILE_IDS);
  }

  next(endpoint: Endpoint): FuzzCase {
    const useExisting = endpoint.existing !== undefined && endpoint.valid !== undefined && this.random() < 0.6;
    const id = useExisting ? this.ids[endpoint.existing as keyof Ids] : this.hostileId();
    const path = API + endpoint.path(id);
    const base = { method: endpoint.method, path };
    const valid = endpoint.valid?.(this.ids);
    // An existing id (or a path without one) with a valid body would be a legal write: only broken bodies then.
    const bodyMustBreak = valid !== undefined && (useExisting || !endpoint.path('x').includes('x'));
    const kinds = bodyMustBreak
      ? ['field', 'field', 'missing', 'extra', 'whole', 'broken', 'deep', 'contentType', 'pattern']
      : ['field', 'missing', 'extra', 'whole', 'broken', 'deep', 'contentType', 'valid', 'none'];
    const kind = this.pick(kinds);
    const body = valid ?? { comment: 'x' };
    switch (kind) {
      case 'field': {
        const fields = Object.keys(body);
        const field = this.pick(fields);
        const wrong = this.wrongValue(body[field], endpoint.nullable?.includes(field) ?? false);
        const json = JSON.stringify({ ...body, [field]: wrong.raw === undefined ? wrong.value : '__RAW__' });
        return {
          ...base,
          body: wrong.raw === undefined ? json : json.replace('"__RAW__"', wrong.raw),
          label: `${field}: ${wrong.label}`,
        };
      }
      case 'missing': {
        const required = valid === undefined ? [] : Object.keys(body).slice(0, 2);
        const copy = { ...body };
        for (const field of required) delete copy[field];
        if (required.length === 0 || bodyMustBreak) copy['unexpectedField'] = 1;
        return { ...base, body: JSON.stringify(copy), label: `missing ${required.join(', ')}` };
      }
      case 'extra':
        return {
          ...base,
          body: JSON.stringify({ ...body, [this.pick(['extra', 'isAdmin', '$where', 'constructor'])]: 'x' }),
          label: 'extra field',
        };
      case 'whole':
        return {
          ...base,
          body: this.pick(['null', '[]', '[{}]', '42', '"text"', 'true', JSON.stringify([body])]),
          label: 'body of another type',
        };
      case 'broken':
        return { ...base, body: this.pick(BROKEN_JSON), label: 'broken JSON' };
      case 'deep':
        return {
          ...base,
          body: this.random() < 0.5 ? deepArray(1000 + this.int(20_000)) : deepObject(1000 + this.int(20_000)),
          label: 'deep nesting',
        };
      case 'contentType': {
        const contentType = this.pick(CONTENT_TYPES);
        // Valid JSON under another type is not parsed, so it is no body at all: only wrong when a body is needed.
        const path = useExisting && endpoint.isBodyOptional ? API + endpoint.path(this.hostileId()) : base.path;
        return { ...base, path, body: JSON.stringify(body), contentType, label: `content-type "${contentType}"` };
      }
      case 'pattern':
        if (endpoint.nullable === NULLABLE_ROUTE && this.random() < 0.5) {
          const [pattern, replacement] = this.pick<[string, string]>([
            ['(', '/'],
            ['[a-', '/'],
            ['a{2,1}', '/'],
            ['\\', '/'],
            ['(?<n>x)\\k<m>', '/'],
            ['*', '/'],
            ['^/api/(.*)$', '/v2/$9'],
            ['', '/'],
            ['x'.repeat(2000), '/'],
          ]);
          const transformations = { request: { rewritePath: { pattern, replacement } } };
          return {
            ...base,
            body: JSON.stringify({ ...body, transformations }),
            label: `rewrite regex ${pattern.slice(0, 20)}`,
          };
        }
        if (endpoint.nullable === NULLABLE_ROUTE) {
          const pathPattern = this.pick([
            'no-slash',
            '/a/**/b/**',
            '/{',
            '/(unclosed',
            '/a/**/**',
            '/' + 'a/'.repeat(5000),
            '//double',
            '/a?b',
            '/\u0000',
            '',
          ]);
          return {
            ...base,
            body: JSON.stringify({ ...body, pathPattern }),
            label: `pathPattern ${pathPattern.slice(0, 20)}`,
          };
        }
        if (endpoint.nullable === NULLABLE_BACKEND) {
          const url = this.pick(['ftp://x', 'not a url', 'http://', 'javascript:alert(1)', 'http://[::1', '']);
          return { ...base, body: JSON.stringify({ ...body, url }), label: `url ${url}` };
        }
        return { ...base, body: JSON.stringify({ ...body, extra: true }), label: 'extra field' };
      case 'valid':
        return { ...base, body: JSON.stringify(body), label: 'valid body, hostile id' };
      default:
        return { ...base, label: 'no body, hostile id' };
    }
  }
}

/** The rows of every table of the schema, in a stable order, as JSON text. */
async function dumpDatabase(t: TestApp): Promise<Record<string, string>> {
  const { rows: tables } = await t.sql.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const dump: Record<string, string> = {};
  for (const { name } of tables) {
    const { rows } = await t.sql.query<{ data: string | null }>(
      `SELECT json_agg(t ORDER BY t::text)::text AS data FROM "${name}" t`,
    );
    dump[name] = rows[0]?.data ?? '[]';
  }
  return dump;
}

async function activeSnapshot(t: TestApp): Promise<{ version: number; hash: string }> {
  const { rows } = await t.sql.query<{ version: string; hash: string }>(
    'SELECT version::text, hash FROM config_snapshots ORDER BY version DESC LIMIT 1',
  );
  return { version: Number(rows[0]?.version), hash: rows[0]?.hash as string };
}

const ENVELOPE_KEYS = ['code', 'details', 'message', 'timestamp', 'traceId'];

/** Why an answer is not a 4xx in the error envelope, or undefined when it is. */
function problemWith(result: HttpResult): string | undefined {
  if (result.status < 400 || result.status >= 500) return `status ${result.status}`;
  if (!String(result.headers['content-type']).startsWith('application/json')) return 'not JSON';
  const error = (result.json as { error?: Record<string, unknown> } | undefined)?.error;
  if (!error || Object.keys(error).sort().join() !== ENVELOPE_KEYS.join()) return 'not the error envelope';
  if (typeof error['code'] !== 'string' || typeof error['message'] !== 'string') return 'envelope without code';
  return undefined;
}

describe('malformed requests to every write endpoint', () => {
  let t: TestApp;
  let ids: Ids;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

  beforeAll(async () => {
    t = await startTestApp();
    const backend = await t.request('POST', `${API}/backends`, { body: { name: 'b1', url: 'http://127.0.0.1:39001' } });
    const route = await t.request('POST', `${API}/routes`, {
      body: { name: 'r1', pathPattern: '/r1/**', backendIds: [backend.body.backendId] },
    });
    const version = await t.request('POST', `${API}/routes/${route.body.routeId}/versions`, {
      body: { timeoutSeconds: 12 },
    });
    // Production needs approval: the rollback and the deployment wait, and nothing moves while the fuzzer runs.
    const rollback = await t.request('POST', `${API}/config/rollback`, {
      body: { version: 1, environment: 'production' },
    });
    const deployment = await t.request('POST', `${API}/deployments`, {
      body: { routeId: route.body.routeId, configVersion: 2, environment: 'production' },
    });
    expect([backend.status, route.status, version.status, rollback.status, deployment.status]).toEqual([
      201, 201, 201, 201, 201,
    ]);
    expect(rollback.body.status).toBe('Pending');
    expect(deployment.body.status).toBe('Pending');
    ids = {
      backendId: backend.body.backendId,
      routeId: route.body.routeId,
      deploymentId: deployment.body.deploymentId,
      rollbackId: rollback.body.rollbackId,
    };
  });

  afterAll(async () => {
    agent.destroy();
    await t?.close();
  });

  it(
    `answers each 4xx in the error envelope and changes nothing (seed ${SEED})`,
    async () => {
      process.stdout.write(`bad-input fuzz: seed ${SEED}, ${REQUESTS} requests (rerun with FUZZ_SEED=${SEED})\n`);
      const databaseBefore = await dumpDatabase(t);
      const snapshotBefore = await activeSnapshot(t);
      const generator = new CaseGenerator(SEED, ids);
      const cases = Array.from({ length: REQUESTS }, (_, i) =>
        generator.next(ENDPOINTS[i % ENDPOINTS.length] as Endpoint),
      );
      // Bodies over the limit: a few per run, each endpoint with a body in turn.
      const oversized = Buffer.alloc(10 * 1024 * 1024 + 1, 0x20);
      for (let i = 0; i < 3; i++) {
        const endpoint = ENDPOINTS[(SEED + i) % ENDPOINTS.length] as Endpoint;
        cases.push({
          method: endpoint.method,
          path: API + endpoint.path('x'),
          body: oversized,
          label: 'over the body limit',
        });
      }

      const failures: string[] = [];
      const statuses: Record<number, number> = {};
      let next = 0;
      const worker = async () => {
        while (next < cases.length) {
          const fuzzCase = cases[next++] as FuzzCase;
          const token = t.tokens.issue({ sub: 'fuzzer', role: 'Admin' });
          const headers: Record<string, string> = { authorization: `Bearer ${token}` };
          if (fuzzCase.body !== undefined) headers['content-type'] = fuzzCase.contentType ?? 'application/json';
          if (headers['content-type'] === '') delete headers['content-type'];
          const isLarge = Buffer.byteLength(fuzzCase.body ?? '') > 1024 * 1024;
          let result: HttpResult;
          try {
            result = await send(t.baseUrl + fuzzCase.path, {
              method: fuzzCase.method,
              headers,
              body: fuzzCase.body,
              agent: isLarge ? undefined : agent,
            });
          } catch (error) {
            failures.push(`${fuzzCase.method} ${fuzzCase.path.slice(0, 120)} [${fuzzCase.label}]: ${String(error)}`);
            continue;
          }
          statuses[result.status] = (statuses[result.status] ?? 0) + 1;
          const problem = problemWith(result);
          if (problem !== undefined) {
            failures.push(
              `${fuzzCase.method} ${fuzzCase.path.slice(0, 120)} [${fuzzCase.label}]: ${problem} ${result.text.slice(0, 200)}`,
            );
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      process.stdout.write(`bad-input fuzz: answers by status ${JSON.stringify(statuses)}\n`);

      expect(failures).toEqual([]);
      expect(await activeSnapshot(t)).toEqual(snapshotBefore);
      expect(await dumpDatabase(t)).toEqual(databaseBefore);
    },
    FUZZ_TIMEOUT_MS,
  );

  it('answers reads whose ids or filters hold NUL bytes or path characters 4xx in the envelope', async () => {
    const paths = [
      '/routes/%00',
      '/routes/..%2F..%2Fbackends/versions',
      '/routes/%00/versions/1',
      '/backends/%00',
      '/backends/%00/health',
      '/deployments/%00',
      '/deployments/%00/metrics',
      '/config/rollbacks/%00',
      '/data-planes/%00',
      '/data-planes/%E0%A4%A',
      '/audit-logs?userId=%00',
      '/audit-logs?entityId=a%00b',
      '/audit-logs?entityType=%00&eventType=%00',
    ];
    const problems: string[] = [];
    for (const path of paths) {
      const result = await send(t.baseUrl + API + path, {
        headers: { authorization: `Bearer ${t.tokens.issue({ sub: 'fuzzer', role: 'Viewer' })}` },
      });
      const problem = problemWith(result);
      if (problem !== undefined) problems.push(`GET ${path}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });
});
