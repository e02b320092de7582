import { appPorts } from './app-ports';
import { APP_NAMES, RUN_TIME_ENV, envVarsReadBy } from './deploy-files';
import { envVarsReadIn } from './env-reads';

/** An environment that records every variable its reader looks up, set or not. */
function recordingEnvironment(values: Record<string, string>): { env: Record<string, string>; read: Set<string> } {
  const read = new Set<string>();
  const env = new Proxy(values, {
    get(target, key) {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(target, key) as unknown;
    },
  });
  return { env, read };
}

describe('envVarsReadIn', () => {
  it('counts env.NAME, env[NAME] and process.env reads, in every quoting, and destructured names', () => {
    const source = `
      export function load(env: NodeJS.ProcessEnv = process.env) {
        const a = env.DOTTED_NAME;
        const b = env['SINGLE_QUOTED'];
        const c = env["DOUBLE_QUOTED"];
        const d = process.env.PROCESS_DOTTED;
        const e = process.env['PROCESS_QUOTED'];
        const { DESTRUCTURED, RENAMED: renamed } = process.env;
        return [a, b, c, d, e, DESTRUCTURED, renamed];
      }`;
    expect([...envVarsReadIn(source)].sort()).toEqual([
      'DESTRUCTURED',
      'DOTTED_NAME',
      'DOUBLE_QUOTED',
      'PROCESS_DOTTED',
      'PROCESS_QUOTED',
      'RENAMED',
      'SINGLE_QUOTED',
    ]);
  });

  it('counts the keys of a zod object schema parsed from the environment, not those of other schemas', () => {
    const source = `
      const envSchema = z.object({ SCHEMA_KEY: z.string(), 'QUOTED_KEY': port.default(1), PORT: port });
      const bodySchema = z.object({ BODY_FIELD: z.string() }).strict();
      export function load(env: NodeJS.ProcessEnv) {
        bodySchema.parse(JSON.parse(env.BODY_JSON ?? '{}'));
        envSchema.pick({ SCHEMA_KEY: true }).safeParse(env);
        return envSchema.safeParse(env);
      }`;
    expect([...envVarsReadIn(source)].sort()).toEqual(['BODY_JSON', 'PORT', 'QUOTED_KEY', 'SCHEMA_KEY']);
  });

  it('counts the names given to a local accessor of env[name], also through a constant choosing between two', () => {
    const source = `
      export function parse(env: Readonly<Record<string, string | undefined>>) {
        const value = (name: string) => env[name]?.trim();
        const timeoutName = value('SPECIFIC_TIMEOUT') ? 'SPECIFIC_TIMEOUT' : 'GENERAL_TIMEOUT';
        return [value('ACCESSED_NAME'), value(timeoutName), report('REPORTED_NAME', value('OTHER_NAME'))];
      }
      function report(name: string, text: string | undefined) { return name + text; }`;
    expect([...envVarsReadIn(source)].sort()).toEqual([
      'ACCESSED_NAME',
      'GENERAL_TIMEOUT',
      'OTHER_NAME',
      'SPECIFIC_TIMEOUT',
    ]);
  });

  it('counts no CONST_CASE string that is not a read: constants, messages, other objects and their keys', () => {
    const source = `
      export const COMPRESSION = 'GZIP_JSON';
      const DEFAULTS = { RETRY_LIMIT: 3, 'QUOTED_DEFAULT': 'ON_DEMAND' };
      export function load(env: NodeJS.ProcessEnv, config: Record<string, string>, problems: string[]) {
        problems.push('JWT_SECRET: is required in production');
        logger.warn(\`MISSING_SECRET_FILE: \${config.SECRET_FILE}\`);
        const read = (name: string, file: string) => readFileSync(file) && name;
        read('TLS_CERT_FILE', config['TLS_CERT_PATH']);
        return { mode: COMPRESSION, defaults: DEFAULTS, level: env.LOG_LEVEL };
      }`;
    expect([...envVarsReadIn(source)]).toEqual(['LOG_LEVEL']);
  });
});

describe('envVarsReadBy', () => {
  it.each(APP_NAMES)('%s: is exactly the set of variables its config loader looks up', (app) => {
    const { env, read } = recordingEnvironment({ ...RUN_TIME_ENV[app] });
    appPorts(app, env);
    expect(read.size).toBeGreaterThan(0);
    expect([...envVarsReadBy(app)].sort()).toEqual([...read].sort());
  });
});
