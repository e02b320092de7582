import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** One fenced `bash` block of a Markdown document, where it sits, and its commands. */
export interface DocBlock {
  /** The `## ` heading above it ('' before the first). */
  section: string;
  /** The `### ` heading above it within its section ('' before the first). */
  step: string;
  code: string;
  /** Its commands: logical lines (continuations and multi-line quotes joined), comments left out. */
  commands: string[];
}

/** The fenced `bash` blocks of a Markdown file, in order. */
export function readBashBlocks(file: string): DocBlock[] {
  const blocks: DocBlock[] = [];
  let section = '';
  let step = '';
  let code: string[] | undefined;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (code !== undefined) {
      if (line.startsWith('```')) {
        const text = code.join('\n');
        blocks.push({ section, step, code: text, commands: splitCommands(text) });
        code = undefined;
      } else {
        code.push(line);
      }
    } else if (line.startsWith('```bash')) {
      code = [];
    } else if (line.startsWith('## ')) {
      section = line.slice(3).trim();
      step = '';
    } else if (line.startsWith('### ')) {
      step = line.slice(4).trim();
    }
  }
  return blocks;
}

/** Splits shell text into commands: a line ends one unless it ends with `\` or leaves a quote open. */
function splitCommands(text: string): string[] {
  const commands: string[] = [];
  let current: string[] = [];
  let quote: string | undefined;
  for (const line of text.split('\n')) {
    if (current.length === 0 && (line.trim() === '' || line.trim().startsWith('#'))) continue;
    current.push(line);
    for (let index = 0; index < line.length; index++) {
      const char = line[index] as string;
      if (quote === undefined) {
        if (char === '\\') index++;
        else if (char === "'" || char === '"') quote = char;
      } else if (char === quote) {
        quote = undefined;
      } else if (quote === '"' && char === '\\') {
        index++;
      }
    }
    if (quote === undefined && !line.endsWith('\\')) {
      commands.push(current.join('\n'));
      current = [];
    }
  }
  if (current.length > 0) commands.push(current.join('\n'));
  return commands;
}

/** What one command printed, and its exit status. */
export interface ShellResult {
  stdout: string;
  stderr: string;
  status: number;
}

/**
 * A bash session, like an operator's terminal: variables set by one command are there for the next. Each `run`
 * is bounded in time; the session ends with `close`.
 */
export class ShellSession {
  private readonly child: ChildProcessWithoutNullStreams;
  private stdout = '';
  private stderr = '';
  private runs = 0;

  constructor(cwd: string, env: NodeJS.ProcessEnv) {
    this.child = spawn('bash', ['--noprofile', '--norc'], { cwd, env, stdio: 'pipe' });
    this.child.stdout.on('data', (chunk: Buffer) => (this.stdout += chunk.toString('utf8')));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.child.stdin.write('set -o pipefail\n');
  }

  run(command: string, timeoutMs = 30_000): Promise<ShellResult> {
    const marker = `__runbook_command_${++this.runs}_done__`;
    const pattern = new RegExp(`\\n${marker} (\\d+)\\n`);
    return new Promise((resolve, reject) => {
      const stop = () => {
        clearTimeout(timer);
        this.child.stdout.off('data', check);
        this.child.off('exit', onExit);
      };
      // Registered after the constructor's listener: the output is already appended when this runs.
      const check = () => {
        const match = pattern.exec(this.stdout);
        if (!match) return;
        stop();
        resolve({ stdout: this.stdout.slice(0, match.index), stderr: this.stderr, status: Number(match[1]) });
        this.stdout = this.stdout.slice(match.index + match[0].length);
        this.stderr = '';
      };
      const onExit = (code: number | null) => {
        stop();
        reject(new Error(`the shell exited (${code}) during:\n${command}\n${this.stderr}`));
      };
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`no end within ${timeoutMs} ms of:\n${command}\n${this.stdout}\n${this.stderr}`));
      }, timeoutMs);
      this.child.stdout.on('data', check);
      this.child.once('exit', onExit);
      this.child.stdin.write(`${command}\nprintf '\\n${marker} %d\\n' $?\n`);
    });
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}
