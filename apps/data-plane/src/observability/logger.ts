import type { LogLevel } from '../config/data-plane-config';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

/** Structured JSON logs, one object per line on stdout (errors on stderr). */
export class Logger {
  private readonly threshold: number;

  constructor(
    level: LogLevel,
    private readonly base: LogFields = {},
    private readonly write: (line: string, level: LogLevel) => void = writeLine,
  ) {
    this.threshold = RANK[level];
  }

  debug(msg: string, fields?: LogFields): void {
    this.log('debug', msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.log('warn', msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields);
  }

  private log(level: LogLevel, msg: string, fields: LogFields | undefined): void {
    if (RANK[level] < this.threshold) return;
    const line = { timestamp: new Date().toISOString(), level, msg, ...this.base, ...fields };
    this.write(JSON.stringify(line, errorReplacer), level);
  }
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as NodeJS.ErrnoException).code;
    return { name: value.name, message: value.message, ...(code ? { code } : {}) };
  }
  return value;
}

function writeLine(line: string, level: LogLevel): void {
  if (level === 'error') process.stderr.write(line + '\n');
  else process.stdout.write(line + '\n');
}
