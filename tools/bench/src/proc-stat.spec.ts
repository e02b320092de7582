import { spawn } from 'node:child_process';
import { parseProcStat, processMemory, processTreeCpuMs, processTreeSize } from './proc-stat';

describe('parseProcStat', () => {
  it('reads pid, parent and CPU ticks even when the command name holds spaces and parentheses', () => {
    const line = '4242 (node (worker) x) S 17 4242 17 0 -1 4194560 100 0 0 0 250 40 7 3 20 0 11 0 123 456 789';
    expect(parseProcStat(line)).toEqual({ pid: 4242, ppid: 17, ticks: 250 + 40 + 7 + 3 });
  });
});

describe('processTreeCpuMs', () => {
  it('grows as the process works, and counts its children', async () => {
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 300; while (Date.now() < end);'], {
      stdio: 'ignore',
    });
    const before = processTreeCpuMs(process.pid);
    expect(processTreeSize(process.pid)).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => child.once('exit', resolve));
    // The busy child was reaped: its CPU time now shows in our cutime.
    expect(processTreeCpuMs(process.pid) - before).toBeGreaterThanOrEqual(100);
  });

  it('throws for a process that is not running', () => {
    expect(() => processTreeCpuMs(2 ** 22 + 1)).toThrow(/not running/);
  });
});

describe('processMemory', () => {
  it('reads the resident memory of a process and its peak, which is never below it', () => {
    const { rssBytes, peakRssBytes } = processMemory(process.pid);
    expect(rssBytes).toBeGreaterThan(1024 * 1024);
    expect(peakRssBytes).toBeGreaterThanOrEqual(rssBytes);
  });
});
