import { createServer } from 'node:net';
import { expectEventually } from '@hotswap/testing';
import { ManagedProcess } from '../src/managed-process';
import { isPortFree } from '../src/port-check';

function node(name: string, script: string, printed: string[]): ManagedProcess {
  return new ManagedProcess({
    name,
    args: ['-e', script],
    cwd: process.cwd(),
    env: process.env,
    print: (line) => printed.push(line),
  });
}

describe('ManagedProcess', () => {
  it('prints each line of output behind the name and keeps the last lines', async () => {
    const printed: string[] = [];
    const child = node('echo', 'console.log("one\\ntwo"); console.error("three")', printed);
    await expect(child.exited).resolves.toEqual({ code: 0, signal: null });
    // Output streams may still be flushing when the exit event arrives.
    await expectEventually(() => expect([...printed].sort()).toEqual(['[echo] one', '[echo] three', '[echo] two']));
    expect(child.recentOutput().sort()).toEqual(['one', 'three', 'two']);
    expect(child.describeExit()).toBe('exit code 0');
  });

  it('stops a child with SIGTERM', async () => {
    const child = node('sleeper', 'setInterval(() => undefined, 1000)', []);
    expect(child.isRunning).toBe(true);
    await expect(child.stop(5_000)).resolves.toEqual({ code: null, signal: 'SIGTERM' });
    expect(child.isRunning).toBe(false);
  });

  it('kills the whole process group of a child that ignores SIGTERM past the deadline', async () => {
    const lines: string[] = [];
    const script = `
      process.on('SIGTERM', () => undefined);
      const grandchild = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => undefined, 1000)']);
      console.log(String(grandchild.pid));
      setInterval(() => undefined, 1000);`;
    const child = node('stubborn', script, lines);
    const grandchildPid = await expectEventually(() => {
      expect(lines).toHaveLength(1);
      return Number(lines[0]?.split(' ')[1]);
    });
    await expect(child.stop(300)).resolves.toEqual({ code: null, signal: 'SIGKILL' });
    // The grandchild was in the same group: it got SIGKILL too.
    const isAlive = () => {
      try {
        process.kill(grandchildPid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await expectEventually(() => expect(isAlive()).toBe(false));
  });
});

describe('isPortFree', () => {
  it('tells a port something listens on from a free one', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    expect(await isPortFree(port)).toBe(false);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await isPortFree(port)).toBe(true);
  });
});
