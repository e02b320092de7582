/**
 * Jest reporter for coverage runs (`jest --coverage`, which `npm test` uses): merges the V8 coverage of the code Jest
 * ran in-process with the V8 coverage child processes wrote (see coverage.js), writes the report to coverage/, prints
 * `coverage: lines X% (threshold 85%)` and fails a full run below the threshold.
 */
const { mkdirSync, readFileSync, rmSync } = require('node:fs');
const { fileURLToPath, pathToFileURL } = require('node:url');
const MCR = require('monocart-coverage-reports');
const swc = require('@swc/core');
const swcrc = require('../../.swcrc.json');
const { ROOT, COVERAGE_DIR, CHILD_V8_DIR, LINE_THRESHOLD, isCountedSource, isCoveredScript } = require('./coverage');

class CoverageReporter {
  constructor(globalConfig) {
    this.enabled = globalConfig.collectCoverage;
    // A run narrowed to some test files still reports its coverage, but only a full run is held to the threshold.
    this.enforced = !globalConfig.testPathPatterns?.isSet?.() && !globalConfig.onlyChanged;
    this.error = undefined;
    if (!this.enabled) return;
    rmSync(COVERAGE_DIR, { recursive: true, force: true });
    mkdirSync(CHILD_V8_DIR, { recursive: true });
    process.env.HOTSWAP_CHILD_V8_COVERAGE = CHILD_V8_DIR;
    this.report = MCR({
      name: 'HotSwap Gateway coverage',
      outputDir: COVERAGE_DIR,
      baseDir: ROOT,
      reports: ['v8', 'v8-json', 'lcovonly'],
      logging: 'error',
      cleanCache: true,
      entryFilter: (entry) => isCoveredScript(entry.url),
      sourceFilter: (sourcePath) => isCountedSource(sourcePath),
      onEntry: (entry) => {
        entry.functions = entry.functions.filter((fn) => !isExportGetter(fn, entry.source));
      },
      all: {
        dir: ['apps', 'libs'].map((dir) => `${ROOT}/${dir}`),
        filter: (filePath) => isCountedSource(filePath.slice(ROOT.length + 1)) && hasRuntimeCode(filePath) && 'js',
        transformer: compileUntested,
      },
    });
    this.added = Promise.resolve();
  }

  onTestResult(_test, testResult) {
    if (!this.enabled || !testResult.v8Coverage) return;
    const entries = testResult.v8Coverage.filter(({ codeTransformResult }) => codeTransformResult).map(toEntry);
    this.added = this.added.then(() => this.report.add(entries));
  }

  async onRunComplete() {
    if (!this.enabled) return;
    await this.added;
    await this.report.addFromDir(CHILD_V8_DIR);
    const { summary } = await this.report.generate();
    const pct = summary.lines.pct;
    process.stdout.write(`coverage: lines ${pct}% (threshold ${LINE_THRESHOLD}%)\n`);
    if (this.enforced && pct < LINE_THRESHOLD) {
      this.error = new Error(`Line coverage ${pct}% is below the ${LINE_THRESHOLD}% threshold (coverage/index.html).`);
    }
  }

  getLastError() {
    return this.error;
  }
}

/** Jest's V8 result for one file, with the code Jest actually ran and its source map back to the .ts file. */
function toEntry({ codeTransformResult, result }) {
  const { code, sourceMapPath } = codeTransformResult;
  return {
    ...result,
    url: pathToFileURL(result.url).href,
    source: code,
    sourceMap: sourceMapPath ? JSON.parse(readFileSync(sourceMapPath, 'utf8')) : undefined,
  };
}

/**
 * swc's CommonJS output exports through getters, `get name () { return name; }`, which run only when another module
 * reads that export; their source-mapped ranges cover the whole declaration in the .ts file, so an export nobody
 * imports would mark its (executed) declaration uncovered. They are not code we wrote: left out.
 */
function isExportGetter(fn, source) {
  if (!fn.functionName.startsWith('get ')) return false;
  const { startOffset, endOffset } = fn.ranges[0];
  return /^get ([\w$]+) \(\) \{\s*return \1;\s*\}$/.test(source.slice(startOffset, endOffset));
}

/** False for files that compile to nothing (interfaces and types only): no test can load them, nothing to cover. */
function hasRuntimeCode(filePath) {
  const { code } = swc.transformSync(readFileSync(filePath, 'utf8'), { ...swcrc, swcrc: false, filename: filePath });
  return code.replace(BOILERPLATE, '').trim() !== '';
}
const BOILERPLATE =
  /\/\*[\s\S]*?\*\/|^\s*\/\/.*$|"use strict";|Object\.defineProperty\(exports, "__esModule", \{\s*value: true\s*\}\);/gm;

/** Files no test loaded count as uncovered lines: compiled the way the build compiles them, so lines match. */
async function compileUntested(entry) {
  const { code, map } = await swc.transform(entry.source, {
    ...swcrc,
    swcrc: false,
    filename: fileURLToPath(entry.url),
    sourceMaps: true,
  });
  entry.source = code;
  entry.sourceMap = JSON.parse(map);
}

module.exports = CoverageReporter;
