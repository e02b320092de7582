/**
 * Jest setup file: in a coverage run, child processes started from a test inherit NODE_V8_COVERAGE and the hook
 * that keeps their coverage when they end on a signal. Set on the test's process.env only, not Jest's workers'.
 */
const { join } = require('node:path');

const dir = process.env.HOTSWAP_CHILD_V8_COVERAGE;
if (dir && !process.env.NODE_V8_COVERAGE) {
  process.env.NODE_V8_COVERAGE = dir;
  const hook = join(__dirname, 'child-coverage-hook.js');
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --require ${hook}`.trim();
}
