/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access,
   @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return --
   manifests are untyped YAML walked field by field; their shape is what the deploy-check specs assert. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { envVarsReadIn } from './env-reads';

/** The repository root. */
export const ROOT = resolve(__dirname, '../..');
export const DOCKERFILE = 'deploy/docker/Dockerfile';
export const COMPOSE_FILE = 'docker-compose.gateway.yml';
export const K8S_DIR = 'deploy/k8s';

/** The apps that ship as images: Dockerfile target = folder under apps/ = image `hotswap/<name>`. */
export const APP_NAMES = ['control-plane', 'data-plane', 'demo-backend'] as const;
export type AppName = (typeof APP_NAMES)[number];

// Manifests are checked field by field: a loose type keeps the checks short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export function readRepoFile(path: string): string {
  return readFileSync(resolve(ROOT, path), 'utf8');
}

export function repoPathExists(path: string): boolean {
  return existsSync(resolve(ROOT, path));
}

/** Every document of a YAML file (merge keys on, as Compose reads them); a syntax error or warning throws. */
export function readYamlDocuments(path: string): Json[] {
  const documents = parseAllDocuments(readRepoFile(path), { merge: true, prettyErrors: true });
  if (!Array.isArray(documents)) return [];
  const problems = documents.flatMap((document) => [...document.errors, ...document.warnings]);
  if (problems.length > 0) throw new Error(`${path}: ${problems.map((problem) => problem.message).join('; ')}`);
  return documents.map((document): Json => document.toJS({ maxAliasCount: 100 })).filter((doc) => doc != null);
}

/** A single-document YAML file. */
export function readYaml(path: string): Json {
  const documents = readYamlDocuments(path);
  if (documents.length !== 1) throw new Error(`${path}: expected one YAML document, found ${documents.length}`);
  return documents[0];
}

/** Files under a folder of the repository, as repository-relative paths. */
export function listRepoFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (absolute: string) => {
    for (const entry of readdirSync(absolute, { withFileTypes: true })) {
      const path = join(absolute, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(ROOT, path));
    }
  };
  walk(resolve(ROOT, dir));
  return out.sort();
}

/**
 * Compose's variable interpolation: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`,
 * `${VAR?error}`. A required variable that is missing throws with its message, as `docker compose` refuses to start.
 */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(
    /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_match, dollar?: string, braced?: string, operator?: string, argument?: string, bare?: string) => {
      if (dollar) return '$';
      const name = (braced ?? bare) as string;
      const value = env[name];
      const isMissing = operator?.startsWith(':') ? !value : value === undefined;
      if (operator?.endsWith('-') && isMissing) return argument ?? '';
      if (operator?.endsWith('?') && isMissing) throw new Error(`required variable ${name} is missing: ${argument}`);
      return value ?? '';
    },
  );
}

/** Applies `interpolate` to every string of a parsed Compose file. */
export function interpolateDeep(value: Json, env: Record<string, string | undefined>): Json {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((item: Json) => interpolateDeep(item, env));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateDeep(item, env)]));
  }
  return value;
}

/** docker-compose.gateway.yml, parsed and interpolated with `env`. */
export function loadCompose(env: Record<string, string | undefined>): Json {
  return interpolateDeep(readYaml(COMPOSE_FILE), env);
}

/** A service's `environment`, as a map whichever form (map or `KEY=VALUE` list) it is written in. */
export function serviceEnvironment(service: Json): Record<string, string> {
  const environment: Json = service.environment ?? {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map((entry: string) => {
        const index = entry.indexOf('=');
        return index < 0 ? [entry, ''] : [entry.slice(0, index), entry.slice(index + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, String(value)]));
}

/** `HOST:CONTAINER` port mappings of a Compose service (short syntax, optional host IP). */
export function servicePorts(service: Json): { published: number; target: number }[] {
  return (service.ports ?? []).map((entry: Json) => {
    if (typeof entry === 'object') return { published: Number(entry.published), target: Number(entry.target) };
    const parts = String(entry).split(':');
    return { published: Number(parts.at(-2)), target: Number(parts.at(-1)) };
  });
}

export interface DockerInstruction {
  keyword: string;
  args: string;
}

export interface DockerStage {
  name: string;
  /** The image or stage it starts from, with build arguments resolved. */
  base: string;
  instructions: DockerInstruction[];
}

/** The stages of a Dockerfile (line continuations joined, comments dropped, `ARG` defaults before FROM resolved). */
export function parseDockerfile(path: string = DOCKERFILE): Map<string, DockerStage> {
  const lines = readRepoFile(path)
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const globalArgs = new Map<string, string>();
  const stages = new Map<string, DockerStage>();
  let current: DockerStage | undefined;
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!match) throw new Error(`${path}: cannot read "${line}"`);
      const base = (match[1] as string).replace(/\$\{?([A-Za-z_]\w*)\}?/g, (_m, name: string) => {
        const value = globalArgs.get(name);
        if (value === undefined) throw new Error(`${path}: FROM uses ARG ${name}, which has no default`);
        return value;
      });
      current = { name: match[2] ?? `stage-${stages.size}`, base, instructions: [] };
      stages.set(current.name, current);
    } else if (!current && upper === 'ARG') {
      const [name, value] = args.split('=');
      if (name && value !== undefined) globalArgs.set(name, value);
    } else if (current) {
      current.instructions.push({ keyword: upper, args });
    }
  }
  return stages;
}

/** A stage's instructions, with those of the stages it builds on first (the runtime image as it is assembled). */
export function stageChain(stages: Map<string, DockerStage>, name: string): DockerStage[] {
  const chain: DockerStage[] = [];
  for (let stage = stages.get(name); stage; stage = stages.get(stage.base)) chain.unshift(stage);
  return chain;
}

/** `ENV` values an image sets (both `KEY=VALUE ...` and `KEY VALUE` forms). */
export function imageEnvironment(chain: DockerStage[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, args } of chain.flatMap((stage) => stage.instructions)) {
    if (keyword !== 'ENV') continue;
    if (args.includes('=')) {
      for (const match of args.matchAll(/([A-Za-z_]\w*)=("[^"]*"|\S*)/g)) {
        env[match[1] as string] = (match[2] as string).replace(/^"|"$/g, '');
      }
    } else {
      const [key, ...value] = args.split(/\s+/);
      env[key as string] = value.join(' ');
    }
  }
  return env;
}

/**
 * The environment variables an app reads: its `config/` folder is the only reader of process.env (STYLE), and the
 * shared parsers it imports and hands its environment to (`libs/<lib>/src/*-config.ts`: the OTEL_* variables) read
 * the rest. What counts as a read is envVarsReadIn's.
 */
export function envVarsReadBy(app: AppName): Set<string> {
  const names = new Set<string>();
  const configFiles = listRepoFiles(`apps/${app}/src/config`).filter(
    (path) => path.endsWith('.ts') && !path.endsWith('.spec.ts'),
  );
  for (const file of configFiles) {
    const source = readRepoFile(file);
    const parsers = [...source.matchAll(/from '@hotswap\/([a-z-]+)'/g)].flatMap(([, lib]) =>
      listRepoFiles(`libs/${lib as string}/src`).filter((path) => /-config\.ts$/.test(path)),
    );
    for (const text of [source, ...parsers.map(readRepoFile)]) {
      for (const name of envVarsReadIn(text)) names.add(name);
    }
  }
  return names;
}

/** Kubernetes objects of the kustomization, and the Secret it generates from the example env file. */
export interface KubernetesSet {
  kustomization: Json;
  objects: Json[];
  /** KEY=VALUE pairs of secrets.env.example, the values the generated Secret holds. */
  secretExample: Record<string, string>;
  secretName: string;
}

export function loadKubernetes(): KubernetesSet {
  const kustomization = readYaml(`${K8S_DIR}/kustomization.yaml`);
  const objects = (kustomization.resources as string[]).flatMap((file) => readYamlDocuments(`${K8S_DIR}/${file}`));
  const generator = (kustomization.secretGenerator ?? [])[0];
  if (!generator) throw new Error(`${K8S_DIR}/kustomization.yaml: no secretGenerator`);
  const envFile = (generator.envs as string[])[0] as string;
  return {
    kustomization,
    objects,
    secretExample: parseEnvFile(readRepoFile(`${K8S_DIR}/${envFile}.example`)),
    secretName: generator.name as string,
  };
}

export function parseEnvFile(text: string): Record<string, string> {
  const entries = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const index = line.indexOf('=');
      if (index < 0) throw new Error(`not KEY=VALUE: ${line}`);
      return [line.slice(0, index), line.slice(index + 1)] as const;
    });
  return Object.fromEntries(entries);
}

/** The environment a container gets: envFrom ConfigMaps and Secrets, then `env` (values, key refs, field refs). */
export function containerEnvironment(
  container: Json,
  set: KubernetesSet,
  podName: string,
  secretValues: Record<string, string> = set.secretExample,
): Record<string, string> {
  const configMap = (name: string): Record<string, string> => {
    const found = set.objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name === name);
    if (!found) throw new Error(`container ${container.name}: no ConfigMap ${name}`);
    return Object.fromEntries(Object.entries(found.data ?? {}).map(([key, value]) => [key, String(value)]));
  };
  const secret = (name: string): Record<string, string> => {
    if (name !== set.secretName) throw new Error(`container ${container.name}: no Secret ${name}`);
    return secretValues;
  };
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, configMap(source.configMapRef.name));
    else if (source.secretRef) Object.assign(env, secret(source.secretRef.name));
    else throw new Error(`container ${container.name}: unsupported envFrom ${JSON.stringify(source)}`);
  }
  const fieldValues: Record<string, string> = {
    'metadata.name': podName,
    'metadata.namespace': String(set.kustomization.namespace),
    'status.podIP': '10.1.2.3',
  };
  for (const entry of container.env ?? []) {
    const from = entry.valueFrom;
    let value: string | undefined;
    if (!from) value = String(entry.value ?? '');
    else if (from.configMapKeyRef) value = configMap(from.configMapKeyRef.name)[from.configMapKeyRef.key];
    else if (from.secretKeyRef) value = secret(from.secretKeyRef.name)[from.secretKeyRef.key];
    else if (from.fieldRef) value = fieldValues[from.fieldRef.fieldPath];
    if (value === undefined) throw new Error(`container ${container.name}: cannot resolve ${entry.name}`);
    env[entry.name] = value;
  }
  return env;
}

/** The environment used to read docker-compose.gateway.yml in tests: its two required variables. */
export const COMPOSE_TEST_ENV: Record<string, string> = {
  JWT_SECRET: 'compose-test-secret-0123456789abcdef0123',
  POSTGRES_PASSWORD: 'composetestpassword',
  DATA_PLANE_TOKEN: 'compose-test-data-plane-token-0123456789',
};

/** What `docker run` must add to an image's own environment for each app to start (its required secrets). */
export const RUN_TIME_ENV: Record<AppName, Record<string, string>> = {
  'control-plane': {
    DATABASE_URL: 'postgres://gateway_user:pw@db:5432/gateway',
    JWT_SECRET: 'run-time-secret-0123456789abcdef',
    DATA_PLANE_TOKENS: 'run-time-data-plane-token-0123456789ab',
  },
  'data-plane': {},
  'demo-backend': {},
};

/** Realistic values for the placeholders of deploy/k8s/secrets.env.example. */
export const K8S_TEST_SECRETS: Record<string, string> = {
  DATABASE_URL: 'postgres://gateway_user:k8stestpassword@postgres.databases:5432/gateway',
  REDIS_URL: 'redis://redis.databases:6379',
  JWT_SECRET: 'k8s-test-secret-0123456789abcdef0123456789',
  DATA_PLANE_TOKEN: 'k8s-test-data-plane-token-0123456789abcdef',
};

/** An HTTP endpoint that a healthcheck, probe or scrape config expects an app to answer. */
export interface ProbedEndpoint {
  app: AppName;
  /** Where it is written, for messages: `compose data-plane-1 healthcheck`. */
  where: string;
  port: number;
  path: string;
  /** The app's environment there: what its config loader reads. */
  env: Record<string, string>;
}

/** Which app a Compose service runs (by its build target), if any. */
export function composeServiceApp(service: Json): AppName | undefined {
  const target = service.build?.target as string | undefined;
  return APP_NAMES.find((app) => app === target);
}

/** Which app a Kubernetes container runs (by its image `hotswap/<app>`), if any. */
export function containerApp(container: Json): AppName | undefined {
  const repository = String(container.image).split(':')[0] as string;
  return APP_NAMES.find((app) => repository.endsWith(`/${app}`));
}

/**
 * The port and path of a `node -e "fetch(...)"` healthcheck: `http://127.0.0.1:8100/health/ready`, or
 * `'http://127.0.0.1:' + (process.env.NAME || 8100) + '/health/live'` with NAME looked up in `env`.
 */
export function healthcheckEndpoint(command: string, env: Record<string, string>): { port: number; path: string } {
  const literal = /http:\/\/(?:127\.0\.0\.1|localhost):(\d+)(\/[^'"\s)]*)/.exec(command);
  if (literal) return { port: Number(literal[1]), path: literal[2] as string };
  const fromEnv = /process\.env\.(\w+)\s*\|\|\s*(\d+)\)\s*\+\s*'(\/[^']*)'/.exec(command);
  if (fromEnv) return { port: Number(env[fromEnv[1] as string] ?? fromEnv[2]), path: fromEnv[3] as string };
  throw new Error(`no http://127.0.0.1:PORT/PATH in healthcheck: ${command}`);
}

/** Every endpoint the Dockerfile, the Compose file, the Kubernetes manifests and the Prometheus configs probe. */
export function probedEndpoints(): ProbedEndpoint[] {
  const endpoints: ProbedEndpoint[] = [];
  const stages = parseDockerfile();
  for (const app of APP_NAMES) {
    const chain = stageChain(stages, app);
    const env = { ...imageEnvironment(chain), ...RUN_TIME_ENV[app] };
    for (const { keyword, args } of chain.flatMap((stage) => stage.instructions)) {
      if (keyword === 'HEALTHCHECK')
        endpoints.push({ app, where: `Dockerfile ${app} HEALTHCHECK`, ...healthcheckEndpoint(args, env), env });
    }
  }

  const compose = loadCompose(COMPOSE_TEST_ENV);
  const composeApps = new Map<string, { app: AppName; env: Record<string, string> }>();
  for (const [name, service] of Object.entries<Json>(compose.services)) {
    const app = composeServiceApp(service);
    if (!app) continue;
    const env = { ...imageEnvironment(stageChain(stages, app)), ...serviceEnvironment(service) };
    composeApps.set(name, { app, env });
    const test = service.healthcheck?.test;
    if (test) {
      const command = Array.isArray(test) ? test.join(' ') : String(test);
      endpoints.push({ app, where: `compose ${name} healthcheck`, ...healthcheckEndpoint(command, env), env });
    }
  }
  const prometheus = readYaml('deploy/prometheus/prometheus.yml');
  for (const job of prometheus.scrape_configs as Json[]) {
    for (const target of (job.static_configs ?? []).flatMap((config: Json) => config.targets as string[])) {
      const [host, port] = String(target).split(':');
      const service = composeApps.get(host as string);
      if (!service)
        throw new Error(`prometheus.yml job ${job.job_name}: ${target} is no app service of ${COMPOSE_FILE}`);
      endpoints.push({
        app: service.app,
        where: `prometheus.yml job ${job.job_name} target ${target}`,
        port: Number(port),
        path: job.metrics_path ?? '/metrics',
        env: service.env,
      });
    }
  }

  const k8s = loadKubernetes();
  const secrets = { ...k8s.secretExample, ...K8S_TEST_SECRETS };
  for (const deployment of k8s.objects.filter((object) => object.kind === 'Deployment')) {
    const pod = deployment.spec.template;
    for (const container of pod.spec.containers as Json[]) {
      const app = containerApp(container);
      if (!app) continue;
      const env = {
        ...imageEnvironment(stageChain(stages, app)),
        ...containerEnvironment(container, k8s, `${deployment.metadata.name}-5d8f7b9c4-x2k8p`, secrets),
      };
      const portOf = (port: number | string): number => {
        if (typeof port === 'number') return port;
        const named = (container.ports as Json[]).find((entry) => entry.name === port);
        if (!named) throw new Error(`${deployment.metadata.name}: no container port named ${port}`);
        return Number(named.containerPort);
      };
      for (const kind of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
        const probe = container[kind];
        if (!probe?.httpGet) continue;
        endpoints.push({
          app,
          where: `k8s ${deployment.metadata.name} ${kind}`,
          port: portOf(probe.httpGet.port),
          path: probe.httpGet.path,
          env,
        });
      }
      const annotations = pod.metadata.annotations ?? {};
      if (annotations['prometheus.io/scrape'] === 'true') {
        endpoints.push({
          app,
          where: `k8s ${deployment.metadata.name} prometheus.io annotations`,
          port: Number(annotations['prometheus.io/port']),
          path: annotations['prometheus.io/path'] ?? '/metrics',
          env,
        });
      }
    }
  }
  return endpoints;
}
