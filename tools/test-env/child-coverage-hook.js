/**
 * Preloaded (NODE_OPTIONS=--require) into every Node.js child process a coverage run starts. Node writes
 * NODE_V8_COVERAGE at a normal exit only; a process that ends by re-raising a signal on itself (NestJS's shutdown
 * hooks do) would write nothing, so its coverage is taken just before.
 */
const v8 = require('node:v8');

const kill = process.kill;
process.kill = function killTakingCoverage(pid, signal) {
  if (pid === process.pid && signal !== 0) v8.takeCoverage();
  return kill.call(process, pid, signal);
};
