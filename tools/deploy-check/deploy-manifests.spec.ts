import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, loadAppConfig } from '../../apps/control-plane/src/config/app-config';
import { appPorts } from './app-ports';
import {
  APP_NAMES,
  COMPOSE_FILE,
  COMPOSE_TEST_ENV,
  DOCKERFILE,
  K8S_DIR,
  K8S_TEST_SECRETS,
  ROOT,
  RUN_TIME_ENV,
  composeServiceApp,
  containerApp,
  containerEnvironment,
  envVarsReadBy,
  imageEnvironment,
  listRepoFiles,
  loadCompose,
  loadKubernetes,
  parseDockerfile,
  probedEndpoints,
  readRepoFile,
  readYaml,
  readYamlDocuments,
  repoPathExists,
  serviceEnvironment,
  servicePorts,
  stageChain,
  type AppName,
  type Json,
} from './deploy-files';

/**
 * Variables the manifests give an app that its config/ does not read yet, with the issue that adds them. The test
 * fails on any other unknown variable, and on a planned one the app has started to read (then delete it here).
 */
const PLANNED_ENV: Record<string, string> = {};
/** Read by Node and its libraries (Express), not by our config schemas. */
const RUNTIME_ENV = new Set(['NODE_ENV']);

/** The guide's resources for the gateway (deployment-guide.md, Kubernetes Deployment). */
const GUIDE_RESOURCES = { requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '4', memory: '8Gi' } };

function unknownEnvVars(app: AppName, env: Record<string, string>): string[] {
  const known = envVarsReadBy(app);
  return Object.keys(env).filter((name) => !known.has(name) && !RUNTIME_ENV.has(name) && !(name in PLANNED_ENV));
}

function workspaceDependencies(packageDir: string): string[] {
  const pkg = JSON.parse(readRepoFile(`${packageDir}/package.json`)) as { dependencies?: Record<string, string> };
  const direct = Object.keys(pkg.dependencies ?? {})
    .filter((name) => name.startsWith('@hotswap/'))
    .map((name) => `libs/${name.slice('@hotswap/'.length)}`);
  return [...new Set(direct.flatMap((dir) => [dir, ...workspaceDependencies(dir)]))];
}

function cpuMillis(quantity: string): number {
  return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) : Number(quantity) * 1000;
}

describe('deploy files', () => {
  const yamlFiles = [COMPOSE_FILE, ...listRepoFiles('deploy').filter((path) => /\.ya?ml$/.test(path))];

  it.each(yamlFiles)('%s is valid YAML', (path) => {
    expect(readYamlDocuments(path).length).toBeGreaterThan(0);
  });

  it.each(listRepoFiles('deploy').filter((path) => path.endsWith('.json')))('%s is valid JSON', (path) => {
    expect(() => JSON.parse(readRepoFile(path)) as unknown).not.toThrow();
  });

  it('keeps local state, builds and secrets out of the image build context', () => {
    const ignored = readRepoFile('.dockerignore').split('\n');
    for (const pattern of ['**/node_modules', '**/dist', '.git', '.hotswap', 'deploy/k8s/secrets.env']) {
      expect(ignored).toContain(pattern);
    }
    expect(readRepoFile(`${K8S_DIR}/.gitignore`).split('\n')).toContain('secrets.env');
  });
});

describe('Dockerfile', () => {
  const stages = parseDockerfile();

  it.each(APP_NAMES)('%s: a node:20 slim runtime, non-root uid 1000, production dependencies only', (app) => {
    const chain = stageChain(stages, app);
    expect(chain.length).toBeGreaterThan(0);
    expect(chain[0]?.base).toMatch(/^node:20(\.\d+)*-(bookworm-|bullseye-)?slim$/);
    const instructions = chain.flatMap((stage) => stage.instructions);
    const users = instructions.filter((instruction) => instruction.keyword === 'USER');
    expect(users.at(-1)?.args).toBe('1000:1000');
    // Only the build stage installs dev dependencies; what the runtime copies comes from <app>-deps or build outputs.
    for (const { args } of instructions.filter((instruction) => instruction.keyword === 'COPY')) {
      const from = /--from=(\S+)/.exec(args)?.[1];
      expect(from === 'build' || from === `${app}-deps`).toBe(true);
    }
    const deps = stages.get(`${app}-deps`);
    if (deps) {
      const install = deps.instructions.find((instruction) => instruction.keyword === 'RUN')?.args ?? '';
      expect(install).toMatch(/npm ci --omit=dev --ignore-scripts .*--workspace apps\/[\w-]+$/);
      expect(install).toContain(`--workspace apps/${app}`);
    }
  });

  it.each(APP_NAMES)(
    '%s: copies its dist, the dist of every workspace library it uses, and the files they read',
    (app) => {
      const copies = stageChain(stages, app)
        .flatMap((stage) => stage.instructions)
        .filter((instruction) => instruction.keyword === 'COPY' && instruction.args.includes('--from=build'))
        .map((instruction) => /\/app\/(\S+)/.exec(instruction.args)?.[1] as string);
      const packages = [`apps/${app}`, ...workspaceDependencies(`apps/${app}`)];
      const expected = packages.flatMap((dir) => [`${dir}/package.json`, `${dir}/dist`]);
      if (packages.includes('libs/proto')) expected.push('proto');
      if (app === 'control-plane') expected.push('db/migrations');
      expect(copies.sort()).toEqual(['package.json', ...expected].sort());
      // What is not built must exist in the repository; what is built comes from a package with a build script.
      for (const path of copies) {
        if (path.endsWith('/dist')) expect(readRepoFile(path.replace(/dist$/, 'package.json'))).toContain('"build"');
        else expect(repoPathExists(path)).toBe(true);
      }
    },
  );

  it.each(APP_NAMES)(
    '%s: EXPOSEs the ports its config listens on, runs its package main, sets only known env',
    (app) => {
      const chain = stageChain(stages, app);
      const instructions = chain.flatMap((stage) => stage.instructions);
      const env = imageEnvironment(chain);
      const exposed = instructions
        .filter((instruction) => instruction.keyword === 'EXPOSE')
        .flatMap((instruction) => instruction.args.split(/\s+/).map(Number));
      expect(exposed.sort()).toEqual(appPorts(app, { ...env, ...RUN_TIME_ENV[app] }).listening.sort());
      const cmd = instructions.filter((instruction) => instruction.keyword === 'CMD').at(-1)?.args ?? '';
      const main = (JSON.parse(readRepoFile(`apps/${app}/package.json`)) as { main: string }).main;
      expect(JSON.parse(cmd)).toEqual(['node', `apps/${app}/${main}`]);
      expect(unknownEnvVars(app, env)).toEqual([]);
      expect(instructions.some((instruction) => instruction.keyword === 'HEALTHCHECK')).toBe(true);
    },
  );
});

describe(COMPOSE_FILE, () => {
  const compose = loadCompose(COMPOSE_TEST_ENV);
  const services: Record<string, Json> = compose.services;
  const stages = parseDockerfile();
  const appServices = Object.entries(services).filter(([, service]) => composeServiceApp(service) !== undefined);

  it('has PostgreSQL 15+, Redis 7+, Jaeger with OTLP, Prometheus, Grafana, a test backend, a control plane, two data planes', () => {
    const major = (image: string) => Number(/:(\d+)/.exec(image)?.[1]);
    expect(major(services.postgres.image)).toBeGreaterThanOrEqual(15);
    expect(major(services.redis.image)).toBeGreaterThanOrEqual(7);
    expect(services.jaeger.image).toMatch(/^jaegertracing\/all-in-one:/);
    expect(serviceEnvironment(services.jaeger).COLLECTOR_OTLP_ENABLED).toBe('true');
    expect(servicePorts(services.jaeger).map((port) => port.target)).toEqual(
      expect.arrayContaining([4317, 4318, 16686]),
    );
    expect(services.prometheus.image).toMatch(/^prom\/prometheus:/);
    expect(services.grafana.image).toMatch(/^grafana\/grafana:/);
    expect(servicePorts(services['test-backend'])).toContainEqual({ published: 8080, target: 8080 });
    const apps = appServices.map(([name, service]) => [name, composeServiceApp(service)]);
    expect(apps).toEqual(
      expect.arrayContaining([
        ['test-backend', 'demo-backend'],
        ['control-plane', 'control-plane'],
        ['data-plane-1', 'data-plane'],
        ['data-plane-2', 'data-plane'],
      ]),
    );
    expect(servicePorts(services['data-plane-1'])).toEqual([
      { published: 8000, target: 8000 },
      { published: 8100, target: 8100 },
    ]);
    expect(servicePorts(services['data-plane-2'])).toEqual([
      { published: 8001, target: 8000 },
      { published: 8101, target: 8100 },
    ]);
  });

  it('builds every app image from a target of the Dockerfile', () => {
    for (const [name, service] of appServices) {
      expect([name, service.build.dockerfile]).toEqual([name, DOCKERFILE]);
      expect([name, stages.has(service.build.target)]).toEqual([name, true]);
      expect(resolve(ROOT, service.build.context)).toBe(ROOT);
    }
  });

  it('refuses to start without JWT_SECRET, POSTGRES_PASSWORD or DATA_PLANE_TOKEN: no secret has a default', () => {
    const token = { DATA_PLANE_TOKEN: 'y'.repeat(40) };
    expect(() => loadCompose({ ...token, POSTGRES_PASSWORD: 'x' })).toThrow(/JWT_SECRET/);
    expect(() => loadCompose({ ...token, JWT_SECRET: 'x'.repeat(40) })).toThrow(/POSTGRES_PASSWORD/);
    expect(() => loadCompose({ JWT_SECRET: 'x'.repeat(40), POSTGRES_PASSWORD: 'x' })).toThrow(/DATA_PLANE_TOKEN/);
  });

  it.each(appServices.map(([name]) => name))(
    '%s: every variable is one its app reads, and its config loads',
    (name) => {
      const app = composeServiceApp(services[name]) as AppName;
      const env = { ...imageEnvironment(stageChain(stages, app)), ...serviceEnvironment(services[name]) };
      expect(unknownEnvVars(app, env)).toEqual([]);
      const ports = appPorts(app, env);
      const published = servicePorts(services[name]).map((port) => port.target);
      expect(published.sort()).toEqual([...ports.listening].sort());
    },
  );

  it('wires the apps to each other by service name and port', () => {
    const controlPlaneEnv = serviceEnvironment(services['control-plane']);
    const controlPlane = loadAppConfig({ ...controlPlaneEnv });
    expect(new URL(controlPlane.databaseUrl).host).toBe('postgres:5432');
    expect(new URL(controlPlane.redisUrl as string).host).toBe('redis:6379');
    for (const name of ['data-plane-1', 'data-plane-2']) {
      const env = serviceEnvironment(services[name]);
      expect(env.CONTROL_PLANE_GRPC_URL).toBe(`control-plane:${controlPlane.grpc.port}`);
      expect(env.DATA_PLANE_ID).toBe(name);
      // Compose kills a container stop_grace_period after SIGTERM: the drain must fit in it.
      expect(Number.parseInt(services[name].stop_grace_period, 10)).toBeGreaterThan(Number(env.GATEWAY_DRAIN_SECONDS));
    }
  });

  it('has a healthcheck on every service but Jaeger (a FROM scratch image), and waits only on what it can check', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name !== 'jaeger') expect([name, service.healthcheck?.test !== undefined]).toEqual([name, true]);
      for (const [dependency, condition] of Object.entries<Json>(service.depends_on ?? {})) {
        expect(services[dependency]).toBeDefined();
        if (condition.condition === 'service_healthy') {
          expect([name, dependency, services[dependency].healthcheck !== undefined]).toEqual([name, dependency, true]);
        }
      }
    }
    expect(services['control-plane'].depends_on).toMatchObject({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
  });

  it('mounts the Prometheus config and rules, and Grafana provisioning where its provider looks for dashboards', () => {
    const mounts = (service: Json) =>
      (service.volumes as string[]).map((volume) => {
        const [source, target] = volume.split(':');
        return { source: source as string, target: target as string };
      });
    for (const { source } of mounts(services.prometheus).filter((mount) => mount.source.startsWith('./'))) {
      expect(repoPathExists(source)).toBe(true);
    }
    const prometheus = readYaml('deploy/prometheus/prometheus.yml');
    const ruleFiles = prometheus.rule_files as string[];
    expect(ruleFiles.length).toBeGreaterThan(0);
    for (const ruleFile of ruleFiles) {
      expect(mounts(services.prometheus).map((mount) => mount.target)).toContain(ruleFile);
    }

    const grafanaMounts = mounts(services.grafana);
    const provisioning = grafanaMounts.find((mount) => mount.target === '/etc/grafana/provisioning');
    expect(provisioning?.source).toBe('./deploy/grafana/provisioning');
    const provider = readYaml('deploy/grafana/provisioning/dashboards/hotswap-gateway.yml').providers[0];
    const dashboards = grafanaMounts.find((mount) => mount.target === provider.options.path);
    expect(dashboards).toBeDefined();
    expect(listRepoFiles(dashboards!.source.slice(2)).filter((path) => path.endsWith('.json')).length).toBeGreaterThan(
      0,
    );
    const datasource = readYaml('deploy/grafana/provisioning/datasources/prometheus.yml').datasources[0];
    const url = new URL(datasource.url);
    expect(services[url.hostname]).toBe(services.prometheus);
    expect(servicePorts(services.prometheus).map((port) => port.target)).toContain(Number(url.port));
  });

  it('scrapes the control plane and every data plane of the Compose file', () => {
    const prometheus = readYaml('deploy/prometheus/prometheus.yml');
    const targets = (prometheus.scrape_configs as Json[]).flatMap((job) =>
      job.static_configs.flatMap((config: Json) => config.targets.map((target: string) => target.split(':')[0])),
    );
    expect(targets.sort()).toEqual(
      appServices
        .map(([name]) => name)
        .filter((name) => name !== 'test-backend')
        .sort(),
    );
  });
});

describe('Kubernetes manifests', () => {
  const k8s = loadKubernetes();
  const stages = parseDockerfile();
  const kinds = (kind: string) => k8s.objects.filter((object) => object.kind === kind);
  const byName = (kind: string, name: string) => kinds(kind).find((object) => object.metadata.name === name);
  const deployments = kinds('Deployment');
  const containers = deployments.flatMap((deployment) =>
    (deployment.spec.template.spec.containers as Json[]).map((container) => ({ deployment, container })),
  );
  const testSecrets = { ...k8s.secretExample, ...K8S_TEST_SECRETS };
  const podName = (deployment: Json) => `${deployment.metadata.name}-5d8f7b9c4-x2k8p`;
  const appEnv = (deployment: Json, container: Json, secrets: Record<string, string> = testSecrets) => ({
    ...imageEnvironment(stageChain(stages, containerApp(container) as AppName)),
    ...containerEnvironment(container, k8s, podName(deployment), secrets),
  });

  it('lists files that exist, a namespace that it creates, and images built from the Dockerfile', () => {
    for (const file of k8s.kustomization.resources as string[]) expect(repoPathExists(`${K8S_DIR}/${file}`)).toBe(true);
    expect(kinds('Namespace').map((namespace) => namespace.metadata.name)).toEqual([k8s.kustomization.namespace]);
    const images = (k8s.kustomization.images as Json[]).map((image) => image.name as string);
    for (const { container } of containers) {
      const app = containerApp(container);
      expect([container.image, app !== undefined && stages.has(app)]).toEqual([container.image, true]);
      expect(images).toContain(String(container.image).split(':')[0]);
    }
    expect(containers.map(({ container }) => containerApp(container)).sort()).toEqual(['control-plane', 'data-plane']);
  });

  it('keeps only placeholders in the secret template, and the control plane refuses to start with them', () => {
    expect(Object.keys(k8s.secretExample).sort()).toEqual(Object.keys(K8S_TEST_SECRETS).sort());
    for (const value of Object.values(k8s.secretExample)) expect(value).toMatch(/^REPLACE_ME/);
    const { deployment, container } = containers.find(({ container }) => containerApp(container) === 'control-plane')!;
    let error: unknown;
    try {
      loadAppConfig(appEnv(deployment, container, k8s.secretExample));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((problem) => problem.split(':')[0]).sort()).toEqual(
      ['DATABASE_URL', 'DATA_PLANE_TOKENS', 'JWT_SECRET', 'REDIS_URL'].sort(),
    );
  });

  it.each(deployments.map((deployment) => deployment.metadata.name as string))(
    '%s: non-root uid 1000, read-only root filesystem, no privilege escalation, all capabilities dropped',
    (name) => {
      const pod = byName('Deployment', name).spec.template.spec;
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const container of pod.containers as Json[]) {
        expect(container.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
      }
    },
  );

  it.each(deployments.map((deployment) => deployment.metadata.name as string))(
    '%s: resources, readiness and liveness probes on its own ports, only variables its app reads',
    (name) => {
      const deployment = byName('Deployment', name);
      for (const container of deployment.spec.template.spec.containers as Json[]) {
        for (const bound of ['requests', 'limits']) {
          expect(container.resources[bound]).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
        }
        expect(cpuMillis(container.resources.limits.cpu)).toBeGreaterThanOrEqual(
          cpuMillis(container.resources.requests.cpu),
        );
        expect(container.readinessProbe?.httpGet).toBeDefined();
        expect(container.livenessProbe?.httpGet).toBeDefined();
        const app = containerApp(container) as AppName;
        const env = appEnv(deployment, container);
        expect(unknownEnvVars(app, env)).toEqual([]);
        const ports = appPorts(app, env);
        const declared = (container.ports as Json[]).map((port) => Number(port.containerPort));
        expect(declared.sort()).toEqual([...ports.listening].sort());
      }
    },
  );

  it('runs 2+ control-plane replicas with the guide resources and probes on the health endpoint', () => {
    const deployment = byName('Deployment', 'hotswap-control-plane');
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    const [container] = deployment.spec.template.spec.containers;
    expect(container.resources).toEqual(GUIDE_RESOURCES);
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      expect(container[probe].httpGet.path).toBe('/api/v1/gateway/health');
    }
  });

  it('scales data planes on CPU, keeps all but one through disruptions, and drains before it is killed', () => {
    const deployment = byName('Deployment', 'hotswap-data-plane');
    const pod = deployment.spec.template;
    const [container] = pod.spec.containers;
    // The autoscaler owns the replica count: a re-apply must not reset it.
    expect(deployment.spec.replicas).toBeUndefined();
    const hpa = kinds('HorizontalPodAutoscaler').find(
      (object) => object.spec.scaleTargetRef.name === 'hotswap-data-plane',
    );
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'hotswap-data-plane' });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    expect(hpa.spec.metrics).toContainEqual({
      type: 'Resource',
      resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: expect.any(Number) } },
    });
    const pdb = kinds('PodDisruptionBudget').find((object) => object.metadata.name === 'hotswap-data-plane');
    expect(pod.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
    expect(pdb.spec.maxUnavailable ?? hpa.spec.minReplicas - pdb.spec.minAvailable).toBeLessThan(hpa.spec.minReplicas);

    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
    const env = appEnv(deployment, container);
    const preStop: string[] = container.lifecycle.preStop.exec.command;
    expect(preStop[0]).toBe('sleep');
    const drainSeconds = Number(env.GATEWAY_DRAIN_SECONDS ?? 30);
    expect(pod.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(Number(preStop[1]) + drainSeconds + 5);
    // The cache is written under a read-only root filesystem: it must be a mounted volume.
    const cacheMount = (container.volumeMounts as Json[]).find((mount) => mount.mountPath === env.SNAPSHOT_CACHE_DIR);
    expect(pod.spec.volumes.find((volume: Json) => volume.name === cacheMount?.name)?.emptyDir).toBeDefined();
  });

  it('points the data planes at the control plane Service gRPC port', () => {
    const service = byName('Service', 'hotswap-control-plane');
    const grpc = (service.spec.ports as Json[]).find((port) => port.name === 'grpc');
    const { deployment, container } = containers.find(({ container }) => containerApp(container) === 'data-plane')!;
    expect(appEnv(deployment, container).CONTROL_PLANE_GRPC_URL).toBe(`${service.metadata.name}:${grpc.port}`);
  });

  it('selects pods with every Service and PodDisruptionBudget, on container ports that exist', () => {
    for (const object of [...kinds('Service'), ...kinds('PodDisruptionBudget')]) {
      const selector = object.kind === 'Service' ? object.spec.selector : object.spec.selector.matchLabels;
      const target = deployments.find((deployment) =>
        Object.entries(selector).every(([key, value]) => deployment.spec.template.metadata.labels[key] === value),
      );
      expect([object.kind, object.metadata.name, target !== undefined]).toEqual([
        object.kind,
        object.metadata.name,
        true,
      ]);
      expect(target.spec.selector.matchLabels).toEqual(selector);
      if (object.kind !== 'Service') continue;
      const containerPorts = (target.spec.template.spec.containers as Json[]).flatMap((container) => container.ports);
      for (const port of object.spec.ports as Json[]) {
        expect(
          containerPorts.some((entry) => entry.name === port.targetPort || entry.containerPort === port.targetPort),
        ).toBe(true);
      }
    }
  });

  it('gives the scrape config for Kubernetes the job names the alerts and the dashboard use', () => {
    const config = readYaml('deploy/prometheus/prometheus-kubernetes.yml');
    const relabel = (config.scrape_configs[0].relabel_configs as Json[]).find((rule) => rule.target_label === 'job');
    const jobs = deployments.map((deployment) =>
      String(relabel.replacement).replace('$1', deployment.spec.template.metadata.labels['app.kubernetes.io/name']),
    );
    const compose = readYaml('deploy/prometheus/prometheus.yml');
    expect(jobs.sort()).toEqual((compose.scrape_configs as Json[]).map((job) => job.job_name).sort());
  });
});

describe('probes, healthchecks and scrape targets', () => {
  it.each(probedEndpoints().map((endpoint) => [endpoint.where, endpoint] as const))(
    '%s uses the port of the app serving health and metrics',
    (_where, endpoint) => {
      expect(endpoint.port).toBe(appPorts(endpoint.app, endpoint.env).admin);
    },
  );
});

describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(resolve(ROOT, 'deploy/grafana/dashboards/hotswap-gateway.json'), 'utf8'));
  const panels = (dashboard.panels as Json[]).filter((panel) => panel.type !== 'row');

  it("has the guide's panels plus config version per data plane and deployment progress", () => {
    const titles = panels.map((panel) => String(panel.title).toLowerCase());
    const wanted = [
      /throughput/,
      /p50.*p95.*p99/,
      /error rate/,
      /active connections/,
      /backend health/,
      /circuit breaker/,
      /config version per data plane/,
      /deployment progress/,
    ];
    for (const pattern of wanted)
      expect([pattern.source, titles.some((title) => pattern.test(title))]).toEqual([pattern.source, true]);
  });

  it('queries the provisioned Prometheus through its datasource variable, with unique panel ids', () => {
    const ids = (dashboard.panels as Json[]).map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) {
      expect(panel.targets.length).toBeGreaterThan(0);
      for (const target of [panel, ...panel.targets])
        expect(target.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    }
    const variable = (dashboard.templating.list as Json[]).find((item) => item.name === 'datasource');
    expect(variable).toMatchObject({ type: 'datasource', query: 'prometheus' });
  });
});
