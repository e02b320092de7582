import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
}

/**
 * Where a V8 profile's busy samples went (idle left out), by function (`byFile` false) or by source file: the
 * largest shares first.
 */
export function topSelfTime(
  profile: CpuProfile,
  count: number,
  byFile = false,
): Array<{ name: string; share: number }> {
  const hits = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') continue;
    const file = frame.url ? basename(frame.url) : frame.functionName || '(anonymous)';
    const name = byFile
      ? file
      : `${frame.functionName || '(anonymous)'} ${frame.url ? `${file}:${frame.lineNumber + 1}` : ''}`.trim();
    hits.set(name, (hits.get(name) ?? 0) + (node.hitCount ?? 0));
    total += node.hitCount ?? 0;
  }
  return [...hits.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, hit]) => ({ name, share: total ? hit / total : 0 }));
}

/** `node tools/bench/dist/cpu-profile-summary.js DIR`: the top functions of every .cpuprofile in DIR. */
function main(): void {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: node cpu-profile-summary.js DIR');
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    console.log(`\n${file} (${((profile.endTime - profile.startTime) / 1e6).toFixed(0)} s profiled)`);
    console.log('  busy time by file:');
    for (const entry of topSelfTime(profile, 15, true))
      console.log(`  ${(entry.share * 100).toFixed(1)}%  ${entry.name}`);
    console.log('  busy time by function:');
    for (const entry of topSelfTime(profile, 15)) console.log(`  ${(entry.share * 100).toFixed(1)}%  ${entry.name}`);
  }
}

if (require.main === module) main();
