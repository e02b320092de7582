import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { encodeSnapshotPayload } from '@hotswap/proto';
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
import { expectServes, measureTarget } from './measure-target';
import { processMemory } from './proc-stat';
import {
  appliedPropagation,
  awaitVersion,
  newestSnapshot,
  propagationOf,
  percentilesOf,
  type Percentiles,
  type Propagation,
  type SnapshotHead,
} from './propagation';
import type { TargetMeasurement } from './report';
import { MEASURED_PATH, benchSnapshot } from './route-table';
import { backendsPerRoute, seedScaleConfiguration } from './scale-seed';

/** A data plane may take this long to receive, validate and compile the whole snapshot at start. */
const DATA_PLANE_STARTUP_TIMEOUT_MS = 180_000;
const PROPAGATION_TIMEOUT_MS = 60_000;
/** The per-request CPU is measured briefly: the scale run has a five-minute budget. */
const CPU_LOAD = { seconds: 5, warmupSeconds: 1, connections: 16 };

interface DataPlaneAtScale {
  id: string;
  /** From the process start to /health/ready: connect, receive, validate, compile, swap. */
  readyMs: number;
  /** Its own apply time of the first snapshot (decode, validate, compile), reported with its Ack. */
  applyMs: number;
  rssBytes: number;
  peakRssBytes: number;
}

interface ScaleResults {
  routes: number;
  backends: number;
  seedMs: number;
  controlPlane: {
    /** The REST call that made the first snapshot at this size: load, validate, build, store, commit. */
    buildMs: number;
    version: number;
    jsonBytes: number;
    gzipBytes: number;
    /** encodeSnapshotPayload of that snapshot, timed here on the bench's own process. */
    encodeMs: number;
    rssBytes: number;
    peakRssBytes: number;
  };
  dataPlanes: DataPlaneAtScale[];
  oneRouteChange: {
    /** The REST call's round trip (the changed rows reloaded, the whole snapshot validated and hashed, its delta stored). */
    apiMs: Percentiles;
    /** createdAt to the last data plane's recorded Ack. */
    propagationMs: Percentiles;
    /** The data planes' own apply times of those changes. */
    applyMs: Percentiles;
    /** isAckRecorded: every data plane's Ack of the version is on record (false: a stream broke during the apply). */
    samples: Array<Propagation & { apiMs: number; isAckRecorded: boolean }>;
    /** Why the changes stopped early, if they did. */
    error?: string;
  };
  cpu: { scale?: TargetMeasurement; oneRoute?: TargetMeasurement; error?: string };
}

async function main(): Promise<void> {
  const settings = loadGatewayBenchSettings();
  const children = new ChildProcesses();
  children.stopOnExit();
  const startedAt = new Date();
  const loadAtStart = loadavg()[0] as number;
  console.log(
    `bench:scale: ${settings.scaleRoutes.toLocaleString('en-US')} routes, ${settings.scaleBackends.toLocaleString('en-US')} backends, ${settings.dataPlanes} data planes, ${cpus().length} CPUs, Node ${process.version}, load average ${loadAtStart.toFixed(2)}`,
  );
  const workDir = mkdtempSync(join(tmpdir(), 'hotswap-bench-scale-'));
  let database: BenchDatabase | undefined;
  try {
    database = await createBenchDatabase(settings.databaseUrl);
    const results = await run(settings, database, children, workDir);
    const report = formatScaleReport(results, settings, startedAt, loadAtStart);
    console.log(`\n${report}`);
    writeBenchResults('scale', startedAt, {
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
  database: BenchDatabase,
  children: ChildProcesses,
  workDir: string,
): Promise<ScaleResults> {
  const { scaleRoutes: routes, scaleBackends: backends } = settings;
  const step = (message: string) => console.log(`bench:scale: ${message}`);
  const backend = children.start('bench-backend', [join(__dirname, 'bench-backend.js')]);
  const backendUrl = `http://127.0.0.1:${Number((await backend.waitForOutput(/listening (\d+)/, STARTUP_TIMEOUT_MS))[1])}`;
  const backendPid = backend.child.pid as number;
  const nodeArgs = settings.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${settings.cpuProfileDir}`] : [];
  const controlPlane = await startControlPlane(children, database.url, { nodeArgs });
  const controlPlanePid = controlPlane.process.child.pid as number;

  step(`seeding with SQL (${backendsPerRoute(routes, backends)} backends per route)…`);
  let started = performance.now();
  await seedScaleConfiguration(database, backendUrl, routes, backends);
  const seedMs = performance.now() - started;

  step('building the first snapshot at this size through the REST API…');
  started = performance.now();
  await controlPlane.api('PUT', '/routes/route-1', { timeoutSeconds: 31 }, 200);
  const buildMs = performance.now() - started;
  const head = await newestSnapshot(controlPlane);
  const text = await (
    await fetch(`${controlPlane.httpUrl}/api/v1/gateway/config/versions/${head.version}`, {
      headers: { authorization: `Bearer ${controlPlane.token}` },
    })
  ).text();
  started = performance.now();
  const gzipBytes = encodeSnapshotPayload(JSON.parse(text)).length;
  const encodeMs = performance.now() - started;
  const controlPlaneMemory = processMemory(controlPlanePid);

  step(`starting ${settings.dataPlanes} data planes on the control plane's stream…`);
  const dataPlanes: BenchDataPlane[] = [];
  const atScale: DataPlaneAtScale[] = [];
  for (let index = 0; index < settings.dataPlanes; index++) {
    started = performance.now();
    const dataPlane = await startDataPlane(children, {
      id: `bench-scale-${index + 1}`,
      grpcTarget: controlPlane.grpcTarget,
      cacheDir: join(workDir, `cache-${index + 1}`),
      startupTimeoutMs: DATA_PLANE_STARTUP_TIMEOUT_MS,
      nodeArgs,
    });
    const readyMs = performance.now() - started;
    dataPlanes.push(dataPlane);
    // Its Hello may already report the version (a stream that broke after the apply): the apply time may be missing.
    const [row] = await awaitVersion(controlPlane, [dataPlane.id], head.version, PROPAGATION_TIMEOUT_MS);
    atScale.push({
      id: dataPlane.id,
      readyMs,
      applyMs: row?.lastApplyMs ?? NaN,
      ...processMemory(dataPlane.process.child.pid as number),
    });
  }
  const dataPlaneIds = dataPlanes.map((dataPlane) => dataPlane.id);

  step(`timing ${settings.scaleChanges} one-route changes…`);
  const samples: ScaleResults['oneRouteChange']['samples'] = [];
  let changeError: string | undefined;
  try {
    for (let i = 0; i < settings.scaleChanges; i++) {
      started = performance.now();
      await controlPlane.api('PUT', `/routes/route-${2 + i}`, { timeoutSeconds: 10 + i }, 200);
      const apiMs = performance.now() - started;
      const changed = await newestSnapshot(controlPlane);
      await awaitVersion(controlPlane, dataPlaneIds, changed.version, PROPAGATION_TIMEOUT_MS);
      const propagation = await appliedPropagation(changed, dataPlanes);
      samples.push({ ...propagation, apiMs, isAckRecorded: await isAckRecorded(controlPlane, dataPlaneIds, changed) });
      step(`  change ${i + 1}: ${propagation.ms.toFixed(0)} ms to every data plane (REST call ${apiMs.toFixed(0)} ms)`);
    }
  } catch (error) {
    // Reported with the figures so far; the processes' last lines say why.
    changeError = error instanceof Error ? error.message.split('\n')[0] : String(error);
    step(`one-route changes stopped: ${changeError}`);
    for (const started of [controlPlane, ...dataPlanes]) {
      console.error(`--- ${started.process.name}, last lines:\n${started.process.output().slice(-3000)}`);
    }
  }
  for (const entry of atScale) {
    const dataPlane = dataPlanes.find((candidate) => candidate.id === entry.id) as BenchDataPlane;
    entry.peakRssBytes = processMemory(dataPlane.process.child.pid as number).peakRssBytes;
  }

  // What the control plane logged about the data planes' streams: an Ack missing from the fleet shows why here.
  const streamEvents = controlPlane.process
    .output()
    .split('\n')
    .filter((line) => /bench-scale-\d/.test(line))
    .slice(-30);
  if (streamEvents.length > 0) step(`the control plane about the data planes' streams:\n${streamEvents.join('\n')}`);

  step('per-request CPU with this snapshot and with one route…');
  const cpu: ScaleResults['cpu'] = {};
  try {
    const first = dataPlanes[0] as BenchDataPlane;
    const url = `${first.baseUrl}${MEASURED_PATH}`;
    await expectServes(url, first.process);
    cpu.scale = await measureTarget(children, CPU_LOAD, {
      id: 'b',
      label: `data plane, ${routes} routes, ${backends} backends`,
      url,
      subjectPid: first.process.child.pid as number,
      backendPid,
    });
    const configFile = join(workDir, 'one-route.json');
    writeFileSync(configFile, JSON.stringify(benchSnapshot(backendUrl, 1)));
    const oneRoute = await startDataPlane(children, {
      id: 'bench-scale-one-route',
      configFile,
      cacheDir: join(workDir, 'cache-one-route'),
    });
    const oneRouteUrl = `${oneRoute.baseUrl}${MEASURED_PATH}`;
    await expectServes(oneRouteUrl, oneRoute.process);
    cpu.oneRoute = await measureTarget(children, CPU_LOAD, {
      id: 'a',
      label: 'data plane, 1 route',
      url: oneRouteUrl,
      subjectPid: oneRoute.process.child.pid as number,
      backendPid,
    });
  } catch (error) {
    cpu.error = error instanceof Error ? error.message.split('\n')[0] : String(error);
  }

  return {
    routes,
    backends,
    seedMs,
    controlPlane: {
      buildMs,
      version: head.version,
      jsonBytes: Buffer.byteLength(text),
      gzipBytes,
      encodeMs,
      ...controlPlaneMemory,
      peakRssBytes: processMemory(controlPlanePid).peakRssBytes,
    },
    dataPlanes: atScale,
    oneRouteChange: {
      apiMs: percentilesOf(samples.map((sample) => sample.apiMs)),
      propagationMs: percentilesOf(samples.map((sample) => sample.ms)),
      applyMs: percentilesOf(samples.flatMap((sample) => Object.values(sample.applyMs))),
      samples,
      error: changeError,
    },
    cpu,
  };
}

/** Whether the control plane recorded every data plane's Ack of `head` (its fleet rows). */
async function isAckRecorded(
  controlPlane: BenchControlPlane,
  dataPlaneIds: readonly string[],
  head: SnapshotHead,
): Promise<boolean> {
  try {
    propagationOf(head, await awaitVersion(controlPlane, dataPlaneIds, head.version, 0));
    return true;
  } catch {
    return false;
  }
}

/** The results as a markdown block, ready for docs/benchmarks.md. */
export function formatScaleReport(
  results: ScaleResults,
  settings: GatewayBenchSettings,
  startedAt: Date,
  loadAtStart: number,
): string {
  const machine = machineOf(loadAtStart);
  const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(0)} ms` : '-');
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const us = (value: number | undefined) => (value === undefined ? '-' : `${value.toFixed(0)} µs`);
  const change = results.oneRouteChange;
  const lines = [
    `### bench:scale — ${startedAt.toISOString()}`,
    '',
    `\`npm run bench:scale\` — ${results.routes.toLocaleString('en-US')} routes and ${results.backends.toLocaleString('en-US')} backends seeded with SQL (${ms(results.seedMs)}), ${settings.dataPlanes} data planes streaming from one control plane.`,
    `Machine: ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, load average ${machine.loadAverage1m.atStart.toFixed(2)} at start, ${machine.loadAverage1m.atEnd.toFixed(2)} at end.`,
    '',
    '| measure | value |',
    '| --- | ---: |',
    `| control plane: first snapshot at this size (REST call: load, validate, build, store, commit) | ${ms(results.controlPlane.buildMs)} |`,
    `| snapshot size: JSON / gzip on the wire | ${mb(results.controlPlane.jsonBytes)} / ${mb(results.controlPlane.gzipBytes)} |`,
    `| gzip encoding of the whole snapshot (once per version, only for a stream that needs it whole: a first start) | ${ms(results.controlPlane.encodeMs)} |`,
    `| control plane memory: RSS / peak | ${mb(results.controlPlane.rssBytes)} / ${mb(results.controlPlane.peakRssBytes)} |`,
    ...results.dataPlanes.map(
      (dataPlane) =>
        `| ${dataPlane.id}: start to ready (connect, transfer, apply) / apply alone (decode, validate, compile) | ${ms(dataPlane.readyMs)} / ${ms(dataPlane.applyMs)} |`,
    ),
    ...results.dataPlanes.map(
      (dataPlane) =>
        `| ${dataPlane.id} memory: RSS after start / peak over the run | ${mb(dataPlane.rssBytes)} / ${mb(dataPlane.peakRssBytes)} |`,
    ),
    `| **one-route change to every data plane** (createdAt → swapped in on the last one, its /config appliedAt; n=${change.propagationMs.count}; target < 1 s): p50 / max | **${ms(change.propagationMs.p50)} / ${ms(change.propagationMs.max)}** |`,
    `| changes whose Acks the control plane recorded (else a stream broke during the apply and the Hello reported the version) | ${change.samples.filter((sample) => sample.isAckRecorded).length} of ${change.samples.length} |`,
    ...(change.error ? [`| one-route changes stopped early | ${change.error} |`] : []),
    `| of which the REST call (changed rows reloaded, whole snapshot validated and hashed, delta stored): p50 / max | ${ms(change.apiMs.p50)} / ${ms(change.apiMs.max)} |`,
    `| of which a data plane's apply: p50 / max | ${ms(change.applyMs.p50)} / ${ms(change.applyMs.max)} |`,
    `| CPU per request, this snapshot / one route | ${us(results.cpu.scale?.cpuMicrosPerRequest)} / ${us(results.cpu.oneRoute?.cpuMicrosPerRequest)}${results.cpu.error ? ` (${results.cpu.error})` : ''} |`,
    `| throughput at ${CPU_LOAD.connections} connections, this snapshot / one route | ${results.cpu.scale?.requestsPerSecond.toFixed(0) ?? '-'} / ${results.cpu.oneRoute?.requestsPerSecond.toFixed(0) ?? '-'} req/s |`,
  ];
  return lines.join('\n');
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(`bench:scale: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
