import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { RESULTS_DIR } from './bench-processes';

/** The machine a run measured on, with the 1-minute load average at its start and now. */
export function machineOf(loadAtStart: number) {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadAverage1m: { atStart: loadAtStart, atEnd: loadavg()[0] as number },
  };
}

/**
 * Writes a run's results as JSON to `.hotswap/bench/<benchmark>-<start time>.json` and `<benchmark>-latest.json`,
 * and says where.
 */
export function writeBenchResults(benchmark: string, startedAt: Date, results: object): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = JSON.stringify({ benchmark, startedAt: startedAt.toISOString(), ...results }, null, 2) + '\n';
  const file = join(RESULTS_DIR, `${benchmark}-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, json);
  writeFileSync(join(RESULTS_DIR, `${benchmark}-latest.json`), json);
  console.log(`\nbench:${benchmark}: results written to ${file} (and ${benchmark}-latest.json beside it)`);
}
