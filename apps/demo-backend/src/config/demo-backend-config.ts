/** The demo backend's configuration, read from the environment once at start. */
export interface DemoBackendConfig {
  readonly port: number;
  readonly host: string;
  readonly name: string;
}

export class DemoBackendConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'DemoBackendConfigError';
  }
}

/** Reads DEMO_BACKEND_PORT (8080), DEMO_BACKEND_HOST (127.0.0.1) and DEMO_BACKEND_NAME; reports every problem at once. */
export function loadDemoBackendConfig(env: NodeJS.ProcessEnv = process.env): DemoBackendConfig {
  const problems: string[] = [];
  const portText = env.DEMO_BACKEND_PORT ?? '8080';
  const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 0 && port <= 65_535)) problems.push(`DEMO_BACKEND_PORT: "${portText}" is not a port (0-65535)`);
  const host = env.DEMO_BACKEND_HOST ?? '127.0.0.1';
  if (host.trim() === '') problems.push('DEMO_BACKEND_HOST: must not be empty');
  const name = env.DEMO_BACKEND_NAME ?? `demo-backend-${portText}`;
  if (name.trim() === '') problems.push('DEMO_BACKEND_NAME: must not be empty');
  if (problems.length > 0) throw new DemoBackendConfigError(problems);
  return Object.freeze({ port, host, name });
}
