import { join } from 'node:path';
import { expectEventually, type TestProcess } from '@hotswap/testing';
import { BENCH_BODY } from './bench-backend';
import type { ChildProcesses } from './bench-processes';
import type { BenchSettings } from './config/bench-settings';
import type { LoadMessage, LoadRequest, LoadResult } from './load-generator';
import { processTreeCpuMs, processTreeSize } from './proc-stat';
import type { TargetId, TargetMeasurement } from './report';

/**
 * Loads one target from a separate load-generator process and reads the CPU counters of the measured process and
 * of the backend right before and after the measured period.
 */
export async function measureTarget(
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
          case 'sustaining':
          case 'sustained':
            return; // answers to a sustain request, never sent for a run
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

/** Checks that the target forwards to the bench backend before loading it. */
export async function expectServes(url: string, subject: TestProcess): Promise<void> {
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
