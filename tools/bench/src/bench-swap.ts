import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBenchDatabase, type BenchDatabase } from './bench-database';
import { machineOf, writeBenchResults } from './bench-results';
import {
  ChildProcesses,
  STARTUP_TIMEOUT_MS,
  startControlPlane,
  startDataPlane,
  type BenchControlPlane,
  type BenchDataPlane,
} from './bench-processes';
import { loadGatewayBenchSettings, type GatewayBenchSettings } from './config/gateway-bench-settings';
import type { LoadMessage, SustainCounts, SustainRequest } from './load-generator';
import { countFailures, type SwapFailures } from './swap-failures';
import {
  appliedPropagation,
  awaitPropagation,
  newestSnapshot,
  percentilesOf,
  type Percentiles,
  type Propagation,
} from './propagation';

/** Routes that exist for the whole run: every request to them must answer 200. */
const STABLE_ROUTES = 10;
/** Each canary deployment moves its split 10% → 20% … → 100%: ten promotions. */
const CANARY_PHASES = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
const PROPAGATION_TIMEOUT_MS = 10_000;
/** No new round of changes starts after this long under load: the run stays within three minutes. */
const CHANGE_BUDGET_SECONDS = 120;
/** The load ends by itself after this long, whatever happens to the bench. */
const MAX_LOAD_SECONDS = 170;

/** The kinds of change timed; `setup` covers the others the run makes (a route's new version, a deployment's start). */
const KINDS = [
  'route created',
  'route updated',
  'route deleted',
  'backend disabled',
  'backend enabled',
  'split promoted',
  'setup',
] as const;
type ChangeKind = (typeof KINDS)[number];

interface SwapResults {
  propagation: Record<ChangeKind, Percentiles>;
  all: Percentiles;
  swappedIn: Percentiles;
  load: SustainCounts[];
  failures: SwapFailures;
  requests: number;
  seconds: number;
  /** Rounds of changes made (one change of each kind per round): fewer than asked when the time budget ran out. */
  rounds: number;
}

async function main(): Promise<void> {
  const settings = loadGatewayBenchSettings();
  const children = new ChildProcesses();
  children.stopOnExit();
  const startedAt = new Date();
  const loadAtStart = loadavg()[0] as number;
  console.log(
    `bench:swap: ${settings.dataPlanes} data planes, ${settings.swapChanges} changes of each kind, ${settings.swapRate} req/s per data plane, ${cpus().length} CPUs, Node ${process.version}, load average ${loadAtStart.toFixed(2)}`,
  );
  const workDir = mkdtempSync(join(tmpdir(), 'hotswap-bench-swap-'));
  let database: BenchDatabase | undefined;
  try {
    database = await createBenchDatabase(settings.databaseUrl);
    const backend = children.start('bench-backend', [join(__dirname, 'bench-backend.js')]);
    const backendUrl = `http://127.0.0.1:${Number((await backend.waitForOutput(/listening (\d+)/, STARTUP_TIMEOUT_MS))[1])}`;
    const controlPlane = await startControlPlane(children, database.url);
    const dataPlanes: BenchDataPlane[] = [];
    for (let index = 0; index < settings.dataPlanes; index++) {
      dataPlanes.push(
        await startDataPlane(children, {
          id: `bench-swap-${index + 1}`,
          grpcTarget: controlPlane.grpcTarget,
          cacheDir: join(workDir, `cache-${index + 1}`),
        }),
      );
    }
    const results = await run(settings, controlPlane, dataPlanes, backendUrl, children);
    const report = formatSwapReport(results, settings, startedAt, loadAtStart);
    console.log(`\n${report}`);
    writeBenchResults('swap', startedAt, {
      machine: machineOf(loadAtStart),
      settings: { ...settings, databaseUrl: undefined },
      ...results,
    });
  } finally {
    await children.stopAll();
    await database?.drop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function run(
  settings: GatewayBenchSettings,
  controlPlane: BenchControlPlane,
  dataPlanes: BenchDataPlane[],
  backendUrl: string,
  children: ChildProcesses,
): Promise<SwapResults> {
  const dataPlaneIds = dataPlanes.map((dataPlane) => dataPlane.id);
  const deployments = Math.ceil(settings.swapChanges / (CANARY_PHASES.length - 1));
  const api = controlPlane.api.bind(controlPlane);

  // Setup, before the load: stable routes with two backends each, and the routes the canaries will shift.
  for (let i = 0; i < STABLE_ROUTES; i++) {
    for (const side of ['a', 'b']) {
      await api(
        'POST',
        '/backends',
        { backendId: `stable-${i}-${side}`, name: `stable-${i}-${side}`, url: backendUrl },
        201,
      );
    }
    await api(
      'POST',
      '/routes',
      {
        routeId: `stable-${i}`,
        name: `stable-${i}`,
        pathPattern: `/stable-${i}/**`,
        backends: [{ backendId: `stable-${i}-a` }, { backendId: `stable-${i}-b` }],
      },
      201,
    );
  }
  for (let d = 0; d < deployments; d++) {
    await api('POST', '/backends', { backendId: `canary-${d}`, name: `canary-${d}`, url: backendUrl }, 201);
    await api(
      'POST',
      '/routes',
      {
        routeId: `shop-${d}`,
        name: `shop-${d}`,
        pathPattern: `/shop-${d}/**`,
        backends: [{ backendId: `stable-${d % STABLE_ROUTES}-a` }],
      },
      201,
    );
    await api('POST', `/routes/shop-${d}/versions`, { backendIds: [`canary-${d}`], version: '2.0' }, 201);
  }
  await awaitPropagation(controlPlane, dataPlaneIds, await newestSnapshot(controlPlane), PROPAGATION_TIMEOUT_MS);

  const stablePaths = [
    ...Array.from({ length: STABLE_ROUTES }, (_, i) => `/stable-${i}/items/${i}`),
    ...Array.from({ length: deployments }, (_, d) => `/shop-${d}/items/${d}`),
  ];
  const churnPaths = Array.from({ length: settings.swapChanges }, (_, k) => `/churn-${k}/items`);
  const load = await startLoad(children, {
    type: 'sustain',
    maxSeconds: MAX_LOAD_SECONDS,
    targets: dataPlanes.flatMap((dataPlane) => [
      {
        name: `${dataPlane.id} stable`,
        baseUrl: dataPlane.baseUrl,
        paths: stablePaths,
        connections: 8,
        requestsPerSecond: Math.max(1, Math.round(settings.swapRate * 0.75)),
      },
      {
        name: `${dataPlane.id} churn`,
        baseUrl: dataPlane.baseUrl,
        paths: churnPaths,
        connections: 4,
        requestsPerSecond: Math.max(1, Math.round(settings.swapRate * 0.25)),
      },
    ]),
  });
  const loadStartedAt = Date.now();

  const samples = new Map<ChangeKind, number[]>(KINDS.map((kind) => [kind, []]));
  /** createdAt to the swap on the last data plane (its /config appliedAt): the part before the Ack. */
  const swappedIn: number[] = [];
  let lastVersion = (await newestSnapshot(controlPlane)).version;
  /** Makes one change, then waits until every data plane runs the snapshot it wrote and records how long that took. */
  const change = async (
    kind: ChangeKind,
    method: string,
    path: string,
    body: unknown,
    expected: number,
  ): Promise<unknown> => {
    const response = await api(method, path, body, expected);
    const head = await newestSnapshot(controlPlane);
    if (head.version === lastVersion) throw new Error(`${method} ${path} wrote no new snapshot`);
    const propagation: Propagation = await awaitPropagation(controlPlane, dataPlaneIds, head, PROPAGATION_TIMEOUT_MS);
    lastVersion = head.version;
    samples.get(kind)?.push(propagation.ms);
    if (kind !== 'setup') swappedIn.push((await appliedPropagation(head, dataPlanes)).ms);
    return response;
  };
  const deploymentIds = new Map<number, string>();
  let rounds = 0;

  try {
    for (let k = 0; k < settings.swapChanges; k++) {
      if (Date.now() - loadStartedAt > CHANGE_BUDGET_SECONDS * 1000) {
        console.log(`bench:swap: time budget (${CHANGE_BUDGET_SECONDS} s) spent after ${k} rounds of changes`);
        break;
      }
      rounds = k + 1;
      const churn = `churn-${k}`;
      const stable = k % STABLE_ROUTES;
      await change(
        'route created',
        'POST',
        '/routes',
        { routeId: churn, name: churn, pathPattern: `/${churn}/**`, backends: [{ backendId: `stable-${stable}-a` }] },
        201,
      );
      await change(
        'route updated',
        'PUT',
        `/routes/${churn}`,
        {
          timeoutSeconds: 10 + (k % 20),
          backends: [{ backendId: `stable-${stable}-a` }, { backendId: `stable-${stable}-b` }],
        },
        200,
      );
      // One backend of a stable route at a time: the route always keeps an enabled one.
      await change('backend disabled', 'PATCH', `/backends/stable-${stable}-b`, { isEnabled: false }, 200);
      await change('backend enabled', 'PATCH', `/backends/stable-${stable}-b`, { isEnabled: true }, 200);
      const deployment = Math.floor(k / (CANARY_PHASES.length - 1));
      if (k % (CANARY_PHASES.length - 1) === 0) {
        const started = await change('setup', 'POST', '/deployments', canaryDeployment(deployment), 201);
        deploymentIds.set(deployment, (started as { deploymentId: string }).deploymentId);
      }
      await change('split promoted', 'POST', `/deployments/${deploymentIds.get(deployment)}/promote`, {}, 200);
      await change('route deleted', 'DELETE', `/routes/${churn}`, undefined, 204);
      if ((k + 1) % 10 === 0) console.log(`bench:swap: ${k + 1}/${settings.swapChanges} rounds of changes`);
    }
  } finally {
    load.stop();
  }
  const counts = await load.counts;
  const seconds = (Date.now() - loadStartedAt) / 1000;
  const failures = countFailures(counts);
  const propagation = Object.fromEntries(KINDS.map((kind) => [kind, percentilesOf(samples.get(kind) ?? [])])) as Record<
    ChangeKind,
    Percentiles
  >;
  const all = percentilesOf(KINDS.filter((kind) => kind !== 'setup').flatMap((kind) => samples.get(kind) ?? []));
  const requests = counts.reduce(
    (sum, target) => sum + Object.values(target.statusCounts).reduce((a, b) => a + b, 0) + target.errors,
    0,
  );
  return { propagation, all, swappedIn: percentilesOf(swappedIn), load: counts, failures, requests, seconds, rounds };
}

/** Deployment `d`: its split starts at 10%, each promotion moves it one phase on. */
function canaryDeployment(d: number) {
  return {
    routeId: `shop-${d}`,
    configVersion: '2.0',
    strategy: 'Canary',
    environment: 'staging',
    phases: CANARY_PHASES.map((percentage) => ({
      name: `canary-${percentage}`,
      trafficPercentage: percentage,
      duration: '1h',
    })),
    // Promoted by hand; a loaded machine's tail latency must not roll a canary back mid-run.
    thresholds: { maxP99Increase: 100 },
  };
}

/** Starts the separate load process and waits until its load runs. */
async function startLoad(
  children: ChildProcesses,
  request: SustainRequest,
): Promise<{ stop(): void; counts: Promise<SustainCounts[]> }> {
  const generator = children.fork(join(__dirname, 'load-generator.js'));
  let started!: () => void;
  const isStarted = new Promise<void>((resolve) => (started = resolve));
  const counts = new Promise<SustainCounts[]>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('the load generator did not report')),
      (request.maxSeconds + 30) * 1000,
    );
    generator.once('exit', (code) => reject(new Error(`the load generator exited (${code}) without a result`)));
    generator.on('message', (message: LoadMessage) => {
      if (message.type === 'sustaining') started();
      if (message.type === 'sustained') {
        clearTimeout(timer);
        resolve(message.targets);
      }
      if (message.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`the load generator failed: ${message.message}`));
      }
    });
  });
  counts.catch(() => started());
  generator.send(request);
  await isStarted;
  return { stop: () => generator.connected && generator.send({ type: 'stop' }), counts };
}

/** The results as a markdown block, ready for docs/benchmarks.md. */
export function formatSwapReport(
  results: SwapResults,
  settings: GatewayBenchSettings,
  startedAt: Date,
  loadAtStart: number,
): string {
  const machine = machineOf(loadAtStart);
  const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(0) : '-');
  const failed = results.failures.stable + results.failures.churn;
  const lines = [
    `### bench:swap — ${startedAt.toISOString()}`,
    '',
    `\`npm run bench:swap\` — ${settings.dataPlanes} data planes streaming from one control plane, ${results.rounds} changes of each kind${results.rounds < settings.swapChanges ? ` (of ${settings.swapChanges} asked: the ${CHANGE_BUDGET_SECONDS} s budget ran out)` : ''} made one at a time through the REST API under ${settings.swapRate} req/s per data plane (separate load process).`,
    `Machine: ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, load average ${machine.loadAverage1m.atStart.toFixed(2)} at start, ${machine.loadAverage1m.atEnd.toFixed(2)} at end.`,
    '',
    `**Failed requests: ${failed}** of ${results.requests.toLocaleString('en-US')} in ${results.seconds.toFixed(0)} s (target 0) — ${results.failures.stable} on routes that exist all run, ${results.failures.churn} gateway-made 5xx or connection errors on the changing ones${
      Object.keys(results.failures.byStatus).length
        ? ` (${Object.entries(results.failures.byStatus)
            .map(([status, count]) => `${status}: ${count}`)
            .join(', ')})`
        : ''
    }; ${results.failures.expected404.toLocaleString('en-US')} expected 404s on changing routes not counted.`,
    '',
    "Propagation, from the snapshot's `createdAt` to the last data plane's recorded Ack (control plane records; targets p50 < 50 ms, p99 < 250 ms):",
    '',
    '| change | n | p50 ms | p95 ms | p99 ms | max ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...KINDS.map((kind) => [kind, results.propagation[kind]] as const)
      .concat([['**all timed changes**' as ChangeKind, results.all]])
      .concat([
        [
          'all timed changes, to the swap on the last data plane (its /config appliedAt)' as ChangeKind,
          results.swappedIn,
        ],
      ])
      .map(([kind, p]) => `| ${kind} | ${p.count} | ${ms(p.p50)} | ${ms(p.p95)} | ${ms(p.p99)} | ${ms(p.max)} |`),
  ];
  return lines.join('\n');
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(`bench:swap: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
