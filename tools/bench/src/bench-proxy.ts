import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineOf, writeBenchResults } from './bench-results';
import { ChildProcesses, DATA_PLANE_MAIN, STARTUP_TIMEOUT_MS, startDataPlane } from './bench-processes';
import { loadBenchSettings } from './config/bench-settings';
import { expectServes, measureTarget } from './measure-target';
import { computeRatios, formatReport, type TargetId, type TargetMeasurement, type TargetOutcome } from './report';
import { BENCH_RATE_LIMIT, MEASURED_PATH, benchSnapshot } from './route-table';

async function main(): Promise<void> {
  const settings = loadBenchSettings();
  const children = new ChildProcesses();
  children.stopOnExit();
  const workDir = mkdtempSync(join(tmpdir(), 'hotswap-bench-'));
  const startedAt = new Date();
  const loadAtStart = loadavg()[0] as number;
  console.log(
    `bench: ${settings.connections} connections, ${settings.warmupSeconds} s warm-up + ${settings.seconds} s measured per target, ${cpus().length} CPUs, Node ${process.version}, load average ${loadAtStart.toFixed(2)}`,
  );
  // Everything here shares the machine's cores: other work skews every figure.
  if (loadAtStart > cpus().length * 0.75)
    console.log('bench: the machine is busy already; figures will be noisier than usual');
  try {
    const backend = children.start('bench-backend', [join(__dirname, 'bench-backend.js')]);
    const backendPort = Number((await backend.waitForOutput(/listening (\d+)/, STARTUP_TIMEOUT_MS))[1]);
    const backendUrl = `http://127.0.0.1:${backendPort}`;
    const backendPid = backend.child.pid as number;
    const measure = (id: TargetId, label: string, url: string, subjectPid: number) =>
      measureTarget(children, settings, { id, label, url, subjectPid, backendPid });

    const outcomes: TargetOutcome[] = [];
    const attempt = async (id: TargetId, label: string, run: () => Promise<TargetMeasurement>) => {
      console.log(`bench: (${id}) ${label}…`);
      try {
        outcomes.push(await run());
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        console.error(`bench: (${id}) ${label} failed: ${message}`);
        outcomes.push({ id, label, error: message.split('\n')[0] as string });
      }
    };

    await attempt('d', 'backend called directly', () =>
      measure('d', 'backend called directly', `${backendUrl}${MEASURED_PATH}`, backendPid),
    );

    await attempt('c', 'bare http-proxy-3 (keep-alive agent)', async () => {
      const proxy = children.start('bare-proxy', [join(__dirname, 'bare-proxy.js'), backendUrl]);
      try {
        const port = Number((await proxy.waitForOutput(/listening (\d+)/, STARTUP_TIMEOUT_MS))[1]);
        const url = `http://127.0.0.1:${port}${MEASURED_PATH}`;
        await expectServes(url, proxy);
        return await measure('c', 'bare http-proxy-3 (keep-alive agent)', url, proxy.child.pid as number);
      } finally {
        await children.stop(proxy);
      }
    });

    for (const [id, routeCount, rateLimit, workers] of [
      ['a', 1, null, 1],
      ['b', 10_000, null, 1],
      ['e', 1, BENCH_RATE_LIMIT, 1],
      ['f', 1, null, 2],
    ] as const) {
      const label = `data plane, ${routeCount.toLocaleString('en-US')} route${routeCount === 1 ? '' : 's'}${rateLimit ? ', local rate limit' : ''}${workers > 1 ? `, ${workers} workers` : ''}`;
      if (workers > 1) {
        // CPU per request sums the primary and every worker; throughput is bounded by the cores left over.
        console.log(
          `bench: (${id}) the load generator and the backend compete with ${workers} workers for ${cpus().length} CPUs: its throughput shows the contention, not the scaling`,
        );
      }
      await attempt(id, label, async () => {
        if (!existsSync(DATA_PLANE_MAIN)) throw new Error(`${DATA_PLANE_MAIN} is not built (npm run build)`);
        const configFile = join(workDir, `snapshot-${id}.json`);
        writeFileSync(configFile, JSON.stringify(benchSnapshot(backendUrl, routeCount, { rateLimit })));
        const dataPlane = await startDataPlane(children, {
          id: `bench-${id}`,
          configFile,
          cacheDir: join(workDir, `cache-${id}`),
          workers,
        });
        const url = `${dataPlane.baseUrl}${MEASURED_PATH}`;
        try {
          await expectServes(url, dataPlane.process);
          return await measure(id, label, url, dataPlane.process.child.pid as number);
        } finally {
          await children.stop(dataPlane.process);
        }
      });
    }

    const ratios = computeRatios(outcomes);
    console.log('');
    console.log(formatReport(outcomes, ratios));
    writeBenchResults('proxy', startedAt, {
      machine: machineOf(loadAtStart),
      settings: { ...settings, measuredPath: MEASURED_PATH, loadGenerator: 'autocannon (separate process)' },
      targets: outcomes,
      ratios,
    });
    if (!outcomes.every((outcome) => !('error' in outcome))) process.exitCode = 1;
  } finally {
    await children.stopAll();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
