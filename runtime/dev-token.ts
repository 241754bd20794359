import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/core';
import { createToken, createTokenVerifier } from '../auth/token-store';
import { TOKEN_SCOPES } from '../entities/api-token';

const DEV_TOKEN_TTL_MS = 24 * 3_600_000;

/**
 * The development token of `npm start`: made once per var/ (and again once it expired), kept in
 * `var/dev-token` readable by the user alone. `fresh` says whether it was made now, i.e. whether to show it.
 */
export async function ensureDevToken(
  varDir: string,
  em: () => EntityManager,
): Promise<{ file: string; secret: string; fresh: boolean }> {
  const file = path.join(varDir, 'dev-token');
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if ((await createTokenVerifier(em, 0)(secret)).ok) return { file, secret, fresh: false };
  }
  const { secret } = await createToken(em(), {
    name: `development ${new Date().toISOString()}`,
    scopes: [...TOKEN_SCOPES],
    expiresAt: new Date(Date.now() + DEV_TOKEN_TTL_MS),
  });
  mkdirSync(varDir, { recursive: true });
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return { file, secret, fresh: true };
}
