import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOrCreateJwtSecret } from './jwt-secret';

describe('readOrCreateJwtSecret', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'jwt-secret-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a 64-hex-digit secret readable by its owner only, then reuses it', () => {
    const file = join(dir, 'nested/jwt-secret');
    const created = readOrCreateJwtSecret(file);
    expect(created.isNew).toBe(true);
    expect(created.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(file, 'utf8')).toBe(created.secret + '\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readOrCreateJwtSecret(file)).toEqual({ secret: created.secret, isNew: false });
  });

  it('refuses a kept secret too short to sign with, rather than replacing it', () => {
    const file = join(dir, 'jwt-secret');
    writeFileSync(file, 'short\n');
    expect(() => readOrCreateJwtSecret(file)).toThrow(/shorter than 32 characters/);
    expect(readFileSync(file, 'utf8')).toBe('short\n');
  });
});
