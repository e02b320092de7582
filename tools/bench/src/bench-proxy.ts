import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expectEventually, findFreePort, startProcess, type TestProcess } from '@hotswap/testing';
import { BENCH_BODY } from './bench-backend';
import { loadBenchSettings, type BenchSettings } from './config/bench-settings';
import type { LoadMessage, LoadRequest, LoadResult } from './load-generator';
import { processTreeCpuMs, processTreeSize } from './proc-stat';
import { computeRatios, formatReport, type TargetId, type TargetMeasurement, type TargetOutcome } from './report';
import { BENCH_RATE_LIMIT, MEASURED_PATH, benchSnapshot } from './route-table';

const ROOT = resolve(__dirname, '../../..');
const DATA_PLANE_MAIN = join(ROOT, 'apps/data-plane/dist/main.js');
const RESULTS_DIR = join(ROOT, '.hotswap/bench');
const STARTUP_TIMEOUT_MS = 60_000;

/** Every child process this run started; stopped at the end, on a signal and on any error. */
class ChildProcesses {
  private readonly processes = new Set<TestProcess>();
  private readonly loadGenerators = new Set<ChildProcess>();

  start(name: string, args: string[], env: Record<string, string | undefined> = {}): TestProcess {
    const started = startProcess(name, process.execPath, args, env);
    this.processes.add(started);
    return started;
  }

  fork(script: string): ChildProcess {
    const child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.loadGenerators.add(child);
    child.once('exit', () => this.loadGenerators.delete(child));
    return child;
  }

  async stop(started: TestProcess): Promise<void> {
    await started.stop('SIGTERM');
    this.processes.delete(started);
  }

  async stopAll(): Promise<void> {
    for (const child of this.loadGenerators) child.kill('SIGKILL');
    await Promise.all([...this.processes].map((started) => this.stop(started)));
  }

  /** Last resort when the run ends abruptly: nothing started here outlives it. */
  killAllNow(): void {
    for (const child of this.loadGenerators) child.kill('SIGKILL');
    for (const started of this.processes) if (started.isRunning()) started.child.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const settings = loadBenchSettings();
  const children = new ChildProcesses();
  process.once('exit', () => children.killAllNow());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\nbench: ${signal}, stopping every process it started`);
      void children.stopAll().finally(() => process.exit(130));
    });
  }
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
        const dataPlane = await startDataPlane(
          children,
          configFile,
          join(workDir, `cache-${id}`),
          `bench-${id}`,
          workers,
        );
        try {
          await expectServes(dataPlane.url, dataPlane.process);
          return await measure(id, label, dataPlane.url, dataPlane.process.child.pid as number);
        } finally {
          await children.stop(dataPlane.process);
        }
      });
    }

    const ratios = computeRatios(outcomes);
    console.log('');
    console.log(formatReport(outcomes, ratios));
    mkdirSync(RESULTS_DIR, { recursive: true });
    const results = {
      benchmark: 'proxy',
      startedAt: startedAt.toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        node: process.version,
        loadAverage1m: { atStart: loadAtStart, atEnd: loadavg()[0] },
      },
      settings: { ...settings, measuredPath: MEASURED_PATH, loadGenerator: 'autocannon (separate process)' },
      targets: outcomes,
      ratios,
    };
    const file = join(RESULTS_DIR, `proxy-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
    writeFileSync(join(RESULTS_DIR, 'proxy-latest.json'), JSON.stringify(results, null, 2) + '\n');
    console.log(`\nbench: results written to ${file} (and proxy-latest.json beside it)`);
    if (!outcomes.every((outcome) => !('error' in outcome))) process.exitCode = 1;
  } finally {
    await children.stopAll();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Starts a data plane in standalone mode on free ports and waits until it reports ready. */
async function startDataPlane(
  children: ChildProcesses,
  configFile: string,
  cacheDir: string,
  id: string,
  workers: number,
): Promise<{ process: TestProcess; url: string }> {
  const [proxyPort, statusPort] = [await findFreePort(), await findFreePort()];
  const dataPlane = children.start('data-plane', [DATA_PLANE_MAIN, '--config', configFile], {
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_PORT: String(proxyPort),
    GATEWAY_STATUS_PORT: String(statusPort),
    GATEWAY_DRAIN_SECONDS: '1',
    DATA_PLANE_ID: id,
    SNAPSHOT_CACHE_DIR: cacheDir,
    GATEWAY_WORKERS: String(workers),
    // Standalone: the data plane serves the file alone, whatever control plane runs on this machine.
    CONTROL_PLANE_GRPC_URL: undefined,
  });
  await expectEventually(
    async () => {
      if (!dataPlane.isRunning()) throw new Error(`the data plane exited:\n${dataPlane.output().slice(-3000)}`);
      const response = await fetch(`http://127.0.0.1:${statusPort}/health/ready`);
      if (response.status !== 200)
        throw new Error(`not ready (${response.status}):\n${dataPlane.output().slice(-3000)}`);
    },
    { timeoutMs: STARTUP_TIMEOUT_MS, intervalMs: 100 },
  ).catch((error: unknown) => {
    throw error instanceof Error && /fetch failed/.test(error.message)
      ? new Error(`the data plane did not listen on ${statusPort}:\n${dataPlane.output().slice(-3000)}`)
      : error;
  });
  return { process: dataPlane, url: `http://127.0.0.1:${proxyPort}${MEASURED_PATH}` };
}

/** Checks that the target forwards to the bench backend before loading it. */
async function expectServes(url: string, subject: TestProcess): Promise<void> {
  await expectEventually(
    async () => {
      const response = await fetch(url);
      const body = await response.text();
      if (response.status !== 200 || body !== BENCH_BODY) {
        throw new Error(`${url} answered ${response.status} ${body.slice(0, 300)}\n${subject.output().slice(-2000)}`);
      }
    },
    { timeoutMs: 10_000, intervalMs: 100 },
  );
}

/**
 * Loads one target from a separate load-generator process and reads the CPU counters of the measured process and
 * of the backend right before and after the measured period.
 */
async function measureTarget(
  children: ChildProcesses,
  settings: BenchSettings,
  target: { id: TargetId; label: string; url: string; subjectPid: number; backendPid: number },
): Promise<TargetMeasurement> {
  const generator = children.fork(join(__dirname, 'load-generator.js'));
  const deadlineMs = (settings.warmupSeconds + settings.seconds) * 1000 + 30_000;
  try {
    let before = { subject: 0, backend: 0 };
    const result = await new Promise<LoadResult>((resolvePromise, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the load generator did not finish within ${deadlineMs} ms`)),
        deadlineMs,
      );
      generator.once('exit', (code) => reject(new Error(`the load generator exited (${code}) without a result`)));
      generator.on('message', (message: LoadMessage) => {
        switch (message.type) {
          case 'warm':
            before = { subject: processTreeCpuMs(target.subjectPid), backend: processTreeCpuMs(target.backendPid) };
            generator.send({ type: 'go' });
            return;
          case 'result':
            clearTimeout(timer);
            return resolvePromise(message.result);
          case 'failed':
            clearTimeout(timer);
            return reject(new Error(`the load generator failed: ${message.message}`));
        }
      });
      const request: LoadRequest = {
        type: 'run',
        url: target.url,
        connections: settings.connections,
        warmupSeconds: settings.warmupSeconds,
        seconds: settings.seconds,
      };
      generator.send(request);
    });
    const subjectMs = processTreeCpuMs(target.subjectPid) - before.subject;
    const backendMs = processTreeCpuMs(target.backendPid) - before.backend;
    if (result.requests === 0) throw new Error(`no request completed against ${target.url}`);
    return {
      id: target.id,
      label: target.label,
      processCount: processTreeSize(target.subjectPid),
      requestsPerSecond: result.requests / result.durationSeconds,
      latencyMs: result.latencyMs,
      requests: result.requests,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      cpuMicrosPerRequest: (subjectMs * 1000) / result.requests,
      backendCpuMicrosPerRequest: (backendMs * 1000) / result.requests,
    };
  } finally {
    if (generator.exitCode === null) generator.kill('SIGKILL');
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
