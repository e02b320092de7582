import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../../apps/control-plane/test/support/test-app';
import { loadDataPlaneConfig } from '../../apps/data-plane/src/config/data-plane-config';
import { startDataPlane, type DataPlane } from '../../apps/data-plane/src/data-plane';
import { startDemoBackend, type DemoBackend } from '../../apps/demo-backend/src/demo-backend';
import {
  COMPOSE_TEST_ENV,
  composeServiceApp,
  imageEnvironment,
  loadCompose,
  parseDockerfile,
  probedEndpoints,
  readRepoFile,
  readYaml,
  serviceEnvironment,
  stageChain,
  type AppName,
  type Json,
} from './deploy-files';
import { metricUsesIn, metricUsesInGrafanaQuery, type MetricUse } from './promql-metrics';

type Plane = 'control-plane' | 'data-plane';
type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

/**
 * Metrics the dashboard and the alert rules use before the apps export them: the names DESIGN §7 and issue 5 give
 * (or, where they give none, the name the panel needs), with the plane that will export them. The test fails on a
 * metric that is neither exported nor listed here, on a listed one an app already exports (delete it here then), and
 * on a listed one nothing uses.
 */
const PLANNED_METRICS: Record<string, { plane: Plane; type: MetricType; issue: string }> = {};

/** Series Prometheus makes itself for every target. */
const PROMETHEUS_BUILTINS = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

/** The sample names a metric family shows: histograms and summaries as their `_bucket`, `_sum`, `_count` series. */
function sampleNames(name: string, type: string): string[] {
  if (type === 'histogram') return [name, `${name}_bucket`, `${name}_sum`, `${name}_count`];
  if (type === 'summary') return [name, `${name}_sum`, `${name}_count`];
  return [name];
}

/** The metric families of a Prometheus text exposition, by their `# TYPE` lines, as the sample names they show. */
function exportedSampleNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const match of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    for (const name of sampleNames(match[1] as string, match[2] as string)) names.add(name);
  }
  return names;
}

/** Every metric the alert rules and the dashboard read, with where. */
function metricUsesInDeployFiles(): (MetricUse & { where: string })[] {
  const uses: (MetricUse & { where: string })[] = [];
  const alerts = readYaml('deploy/prometheus/alerts.yml');
  for (const group of alerts.groups as Json[]) {
    for (const rule of group.rules as Json[]) {
      const where = `alerts.yml ${rule.alert ?? rule.record}`;
      uses.push(...metricUsesIn(String(rule.expr)).map((use) => ({ ...use, where })));
    }
  }
  const dashboard = JSON.parse(readRepoFile('deploy/grafana/dashboards/hotswap-gateway.json'));
  for (const panel of dashboard.panels as Json[]) {
    for (const target of panel.targets ?? []) {
      uses.push(...metricUsesIn(String(target.expr)).map((use) => ({ ...use, where: `dashboard "${panel.title}"` })));
    }
  }
  for (const variable of dashboard.templating.list as Json[]) {
    if (variable.type !== 'query') continue;
    const query = typeof variable.query === 'string' ? variable.query : variable.query.query;
    const where = `dashboard variable ${variable.name}`;
    uses.push(...metricUsesInGrafanaQuery(String(query)).map((use) => ({ ...use, where })));
  }
  return uses;
}

/** Prometheus job name → the plane it scrapes, from prometheus.yml and the Compose services it targets. */
function jobPlanes(): Map<string, Plane> {
  const compose = loadCompose(COMPOSE_TEST_ENV);
  const planes = new Map<string, Plane>();
  for (const job of readYaml('deploy/prometheus/prometheus.yml').scrape_configs as Json[]) {
    const host = String(job.static_configs[0].targets[0]).split(':')[0] as string;
    const app = composeServiceApp(compose.services[host]);
    if (app !== 'control-plane' && app !== 'data-plane') throw new Error(`job ${job.job_name} scrapes ${host}`);
    planes.set(job.job_name, app);
  }
  return planes;
}

describe('deploy files against the running apps', () => {
  let controlPlane: TestApp;
  let dataPlane: DataPlane;
  let backend: DemoBackend;
  let workDir: string;
  const exported = new Map<Plane, Set<string>>();

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'deploy-check-'));
    backend = await startDemoBackend({ host: '127.0.0.1', port: 0, name: 'deploy-check-backend' });
    const configFile = join(workDir, 'gateway.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        routes: [{ routeId: 'test-route', name: 'test-route', pathPattern: '/test/*', backendIds: ['httpbin'] }],
        backends: [{ backendId: 'httpbin', name: 'httpbin', url: backend.url }],
      }),
    );
    // The data plane as docker-compose.gateway.yml configures it, on free local ports, without the stream.
    const compose = loadCompose(COMPOSE_TEST_ENV);
    const composeEnv: Record<string, string> = {
      ...imageEnvironment(stageChain(parseDockerfile(), 'data-plane')),
      ...serviceEnvironment(compose.services['data-plane-1']),
    };
    delete composeEnv.CONTROL_PLANE_GRPC_URL;
    const env = {
      ...composeEnv,
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: '0',
      GATEWAY_STATUS_PORT: '0',
      SNAPSHOT_CACHE_DIR: join(workDir, 'cache'),
      LOG_LEVEL: 'error',
    };
    [controlPlane, dataPlane] = await Promise.all([
      startTestApp(),
      startDataPlane(loadDataPlaneConfig(env, ['--config', configFile], workDir)),
    ]);
    // One proxied request, so that request series have samples too.
    expect((await fetch(`${dataPlane.proxyUrl}/test/get`)).status).toBe(200);
    exported.set('control-plane', exportedSampleNames(await (await fetch(`${controlPlane.baseUrl}/metrics`)).text()));
    exported.set('data-plane', exportedSampleNames(await (await fetch(`${dataPlane.statusUrl}/metrics`)).text()));
  });

  afterAll(async () => {
    await Promise.all([controlPlane?.close(), dataPlane?.stop(), backend?.close()]);
    rmSync(workDir, { recursive: true, force: true });
  });

  it('scrapes the metrics both apps export today', () => {
    expect([...(exported.get('data-plane') as Set<string>)]).toEqual(
      expect.arrayContaining([
        'gateway_requests_total',
        'gateway_request_duration_seconds_bucket',
        'gateway_config_version',
      ]),
    );
    expect([...(exported.get('control-plane') as Set<string>)]).toEqual(
      expect.arrayContaining(['http_requests_total', 'gateway_config_version']),
    );
  });

  it('finds every metric of the alert rules and the dashboard in the plane its job scrapes, or in PLANNED_METRICS', () => {
    const planes = jobPlanes();
    const planned = (plane: Plane) =>
      new Set(
        Object.entries(PLANNED_METRICS)
          .filter(([, metric]) => metric.plane === plane)
          .flatMap(([name, metric]) => sampleNames(name, metric.type)),
      );
    const uses = metricUsesInDeployFiles();
    expect(uses.length).toBeGreaterThan(30);
    const problems: string[] = [];
    for (const use of uses) {
      if (PROMETHEUS_BUILTINS.has(use.name)) continue;
      const jobs = [...planes.keys()].filter((job) =>
        use.job === undefined
          ? true
          : use.job.isRegex
            ? new RegExp(`^(?:${use.job.value})$`).test(job)
            : use.job.value === job,
      );
      if (jobs.length === 0) {
        problems.push(`${use.where}: ${use.name} asks for job "${use.job?.value}", which prometheus.yml does not have`);
        continue;
      }
      const targetPlanes = jobs.map((job) => planes.get(job) as Plane);
      const isFound = (plane: Plane) => exported.get(plane)?.has(use.name) || planned(plane).has(use.name);
      // With a job: every plane it names must have the metric; without one, any plane will do.
      const ok = use.job === undefined ? targetPlanes.some(isFound) : targetPlanes.every(isFound);
      if (!ok) problems.push(`${use.where}: ${use.name} (${targetPlanes.join(', ')}) is neither exported nor planned`);
    }
    expect(problems).toEqual([]);
  });

  it('keeps PLANNED_METRICS to metrics that are used and not yet exported', () => {
    const used = new Set(metricUsesInDeployFiles().map((use) => use.name));
    for (const [name, metric] of Object.entries(PLANNED_METRICS)) {
      const samples = sampleNames(name, metric.type);
      expect([name, 'exported already', samples.some((sample) => exported.get(metric.plane)?.has(sample))]).toEqual([
        name,
        'exported already',
        false,
      ]);
      expect([name, 'used', samples.some((sample) => used.has(sample))]).toEqual([name, 'used', true]);
    }
  });

  it('answers 200 on every path a healthcheck, probe or scrape config asks for', async () => {
    const baseUrls: Record<AppName, string> = {
      'control-plane': controlPlane.baseUrl,
      'data-plane': dataPlane.statusUrl,
      'demo-backend': backend.url,
    };
    const endpoints = probedEndpoints();
    expect(endpoints.length).toBeGreaterThan(10);
    const answers = await Promise.all(
      endpoints.map(async (endpoint) => {
        const response = await fetch(`${baseUrls[endpoint.app]}${endpoint.path}`);
        await response.arrayBuffer();
        return `${endpoint.where} ${endpoint.path}: ${response.status}`;
      }),
    );
    expect(answers).toEqual(endpoints.map((endpoint) => `${endpoint.where} ${endpoint.path}: 200`));
  });
});
