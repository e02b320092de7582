import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** This data plane's build version: the `version` of apps/data-plane/package.json (same path from src/ and dist/). */
export const BUILD_VERSION: string = readBuildVersion();

function readBuildVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
