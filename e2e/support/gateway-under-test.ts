import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigSnapshot } from '@hotswap/config-snapshot';
import { expectEventually, findFreePort } from '@hotswap/testing';
import { snapshotOf, type GatewayConfig } from './gateway-config';
import { createEmptyDatabase, GatewayHarness, type DataPlaneProcess } from './gateway-harness';
import { RestConfigWriter } from './rest-config-writer';

/** Where a data plane gets its snapshot. STYLE: every proxy behaviour that depends on config runs against each. */
export const SNAPSHOT_SOURCES = ['file', 'stream'] as const;
export type SnapshotSourceName = (typeof SNAPSHOT_SOURCES)[number];

/** A data plane, as a real process, serving a GatewayConfig from one snapshot source. */
export interface GatewayUnderTest {
  readonly source: SnapshotSourceName;
  readonly dataPlaneId: string;
  readonly proxyUrl: string;
  readonly statusUrl: string;
  /** The snapshot the data plane runs. Its hash depends on the config only, so it is the same for both sources. */
  readonly active: Pick<ConfigSnapshot, 'version' | 'hash'>;
  /**
   * Makes the gateway serve `config` instead; resolves once the data plane runs it. stream: written through the
   * control plane's REST API and hot-swapped from the stream. file: the data plane does not re-read its file, so a
   * new process started with the new file replaces it on the same ports (nothing about hot swap can be asserted).
   */
  apply(config: GatewayConfig): Promise<void>;
  /** Everything the data plane process printed so far (its JSON log lines). */
  dataPlaneOutput(): string;
  stop(): Promise<void>;
}

export interface GatewayUnderTestOptions {
  /** Environment of the data plane process, such as GATEWAY_MAX_BODY_BYTES. */
  env?: Record<string, string>;
}

/**
 * Starts a gateway serving `config` from `source`. file: the built data plane with `--config` holding the config's
 * snapshot. stream: a control plane of its own (an empty database of its own), the config's backends and routes
 * created through its REST API, and a data plane connected to it. Start one per describe block, not per test.
 */
export function startGatewayUnderTest(
  source: SnapshotSourceName,
  config: GatewayConfig,
  options: GatewayUnderTestOptions = {},
): Promise<GatewayUnderTest> {
  switch (source) {
    case 'file':
      return startFromFile(config, options);
    case 'stream':
      return startFromStream(config, options);
  }
}

async function startFromFile(config: GatewayConfig, options: GatewayUnderTestOptions): Promise<GatewayUnderTest> {
  const harness = new GatewayHarness();
  const dir = mkdtempSync(join(tmpdir(), 'hotswap-e2e-file-'));
  const dataPlaneId = `dp-file-${randomBytes(3).toString('hex')}`;
  const ports = { proxy: await findFreePort(), status: await findFreePort() };
  let active: ConfigSnapshot | undefined;
  let dataPlane: DataPlaneProcess | undefined;

  const serve = async (next: GatewayConfig) => {
    const snapshot = snapshotOf(next, (active?.version ?? 0) + 1);
    const configFile = join(dir, `snapshot-${snapshot.version}.json`);
    writeFileSync(configFile, JSON.stringify(snapshot));
    await dataPlane?.stop();
    dataPlane = await harness.startDataPlane({ id: dataPlaneId, configFile, ports, env: options.env });
    await expectRunning(dataPlane.statusUrl, snapshot);
    active = snapshot;
  };

  try {
    await serve(config);
  } catch (error) {
    await harness.stopAll();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    source: 'file',
    dataPlaneId,
    proxyUrl: `http://127.0.0.1:${ports.proxy}`,
    statusUrl: `http://127.0.0.1:${ports.status}`,
    get active() {
      return active!;
    },
    apply: serve,
    dataPlaneOutput: () => dataPlane!.process.output(),
    async stop() {
      await harness.stopAll();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startFromStream(config: GatewayConfig, options: GatewayUnderTestOptions): Promise<GatewayUnderTest> {
  const database = await createEmptyDatabase();
  const harness = new GatewayHarness(database.url);
  const stop = async () => {
    await harness.stopAll();
    await database.drop();
  };
  try {
    const controlPlane = await harness.startControlPlane();
    const writer = new RestConfigWriter(harness, controlPlane);
    let active = await writer.write(config);
    const dataPlane = await harness.startDataPlane({
      id: `dp-stream-${randomBytes(3).toString('hex')}`,
      grpcTarget: controlPlane.grpcTarget,
      env: options.env,
    });
    await expectRunning(dataPlane.statusUrl, active);
    return {
      source: 'stream',
      dataPlaneId: dataPlane.id,
      proxyUrl: dataPlane.proxyUrl,
      statusUrl: dataPlane.statusUrl,
      get active() {
        return active;
      },
      async apply(next) {
        const snapshot = await writer.write(next);
        await expectRunning(dataPlane.statusUrl, snapshot);
        active = snapshot;
      },
      dataPlaneOutput: () => dataPlane.process.output(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function expectRunning(statusUrl: string, snapshot: Pick<ConfigSnapshot, 'version' | 'hash'>): Promise<void> {
  await expectEventually(async () => {
    const status = (await (await fetch(`${statusUrl}/config`)).json()) as { version: number | null; hash: string };
    expect({ version: status.version, hash: status.hash }).toEqual({ version: snapshot.version, hash: snapshot.hash });
  });
}
