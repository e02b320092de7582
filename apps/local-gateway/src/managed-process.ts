import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ManagedProcessOptions {
  name: string;
  /** Node script and its arguments. */
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Prints one line of the child's output, already prefixed. */
  print: (line: string) => void;
  /** Colours the `[name]` prefix, or returns it as is. */
  paint?: (prefix: string) => string;
  /** Which lines are printed as they come; all are kept for failure reports. Default: every line. */
  isPrinted?: (line: string) => boolean;
  /** An IPC channel to the child, for `fork`-style messages. */
  ipc?: boolean;
}

/** How a child ended: its exit code, or the signal that killed it. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const KEPT_LINES = 40;

/**
 * A Node child process in its own process group (so that a Ctrl-C at the terminal reaches only the launcher, which
 * then stops the children in order), whose output is printed line by line behind a `[name]` prefix and whose last
 * lines are kept for failure reports.
 */
export class ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Settles when the child has exited, for whatever reason. */
  readonly exited: Promise<ProcessExit>;
  private readonly lastLines: string[] = [];
  private exit: ProcessExit | undefined;

  constructor(options: ManagedProcessOptions) {
    this.name = options.name;
    this.child = spawn(process.execPath, options.args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc ? (['ipc'] as const) : [])],
    });
    const prefix = (options.paint ?? ((text: string) => text))(`[${options.name}]`);
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        this.lastLines.push(line);
        if (this.lastLines.length > KEPT_LINES) this.lastLines.shift();
        if (options.isPrinted?.(line) ?? true) options.print(`${prefix} ${line}`);
      });
    }
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
      this.child.once('error', (error) => {
        this.lastLines.push(error.message);
        this.exit = { code: null, signal: null };
        resolve(this.exit);
      });
    });
  }

  get isRunning(): boolean {
    return this.exit === undefined;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The child's last lines of output, newest last. */
  recentOutput(): string[] {
    return [...this.lastLines];
  }

  describeExit(): string {
    if (!this.exit) return 'still running';
    return this.exit.signal ? `killed by ${this.exit.signal}` : `exit code ${this.exit.code}`;
  }

  /**
   * Asks the child to stop with SIGTERM and waits for it; after `timeoutMs` kills its whole process group. Either
   * way, anything left in its group (cluster workers) is killed once it has exited.
   */
  async stop(timeoutMs = 10_000): Promise<ProcessExit> {
    if (this.isRunning) this.signal('SIGTERM', false);
    const timer = setTimeout(() => this.signal('SIGKILL', true), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
      this.signal('SIGKILL', true);
    }
  }

  /** Kills the child's whole process group at once: the last resort when the launcher itself is going away. */
  killNow(): void {
    this.signal('SIGKILL', true);
  }

  private signal(signal: NodeJS.Signals, isWholeGroup: boolean): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(isWholeGroup ? -pid : pid, signal);
    } catch {
      // Already gone.
    }
  }
}
