/**
 * Line coverage of apps/*\/src and libs/*\/src for `npm test` (jest --coverage). Code that runs inside Jest's workers
 * comes from Jest's V8 provider; code that runs in the child processes the tests start (the built dist/ with its
 * source maps) comes from NODE_V8_COVERAGE. Both are merged by monocart-coverage-reports into coverage/.
 */
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '../..');
const COVERAGE_DIR = join(ROOT, 'coverage');
const CHILD_V8_DIR = join(COVERAGE_DIR, '.child-v8');
const LINE_THRESHOLD = 85;

/** Which source files count: app and lib sources, without tests, test support and generated code. */
function isCountedSource(sourcePath) {
  const path = sourcePath.replace(/\\/g, '/');
  return (
    /(^|\/)(apps|libs)\/[^/]+\/src\/.+\.ts$/.test(path) &&
    !/\.(spec|int-spec|e2e-spec|d)\.ts$/.test(path) &&
    !/(^|\/)libs\/testing\//.test(path) &&
    !/(^|\/)libs\/proto\/src\/generated\//.test(path)
  );
}

/** Scripts whose coverage is read: sources Jest transformed, and the built dist/ that child processes run. */
function isCoveredScript(url) {
  return /\/(apps|libs)\/[^/]+\/(src|dist)\//.test(url) && !url.includes('/node_modules/');
}

module.exports = { ROOT, COVERAGE_DIR, CHILD_V8_DIR, LINE_THRESHOLD, isCountedSource, isCoveredScript };
