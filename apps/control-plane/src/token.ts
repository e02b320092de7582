import { parseArgs } from 'node:util';
import { ConfigError, loadAuthConfig } from './config/app-config';
import { isRole, ROLES } from './modules/auth/roles';
import { TokenService } from './modules/auth/token.service';

const USAGE = `usage: node apps/control-plane/dist/token.js --role ${ROLES.join('|')} [--sub NAME] [--ttl SECONDS]`;

/** Prints a bearer token for the management API, and nothing else, on stdout. */
function main(): void {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      sub: { type: 'string', default: 'cli' },
      ttl: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!isRole(values.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  const ttlSeconds = values.ttl === undefined ? undefined : Number(values.ttl);
  if (ttlSeconds !== undefined && (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)) {
    throw new UsageError('--ttl must be a positive number of seconds');
  }
  if (!values.sub) throw new UsageError('--sub must not be empty');
  const tokens = new TokenService(loadAuthConfig());
  process.stdout.write(tokens.issue({ sub: values.sub, role: values.role, ttlSeconds }) + '\n');
}

class UsageError extends Error {}

try {
  main();
} catch (error) {
  if (error instanceof ConfigError) console.error(error.message);
  else if (error instanceof UsageError) console.error(`${error.message}\n${USAGE}`);
  else console.error((error as Error).message);
  process.exit(1);
}
