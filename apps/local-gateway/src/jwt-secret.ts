import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The development JWT secret kept in a file: read when present, else created (32 random bytes as hex, mode 0600).
 * The same file and format as the control plane's own development default (`.hotswap/jwt-secret`), so that a
 * control plane or `npm run token` started by hand later agrees with this one.
 */
export function readOrCreateJwtSecret(file: string): { secret: string; isNew: boolean } {
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length < 32) {
      throw new Error(`${file} holds a secret shorter than 32 characters: delete the file to have a new one made`);
    }
    return { secret, isNew: false };
  }
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return { secret, isNew: true };
}
