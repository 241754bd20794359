/**
 * npm run token:create -- --name <name> --scopes odoo,webshop [--expires-in 90d]
 * Prints the plaintext token as the last line of stdout, once; only its hash is stored.
 */
import { parseArgs } from 'node:util';
import { createToken } from '../auth/token-store';
import { loadConfig } from '../config/config';
import { parseDuration } from '../config/duration';
import { openPrimaryOrm } from '../db/primary-orm';
import { TOKEN_SCOPES, type TokenScope } from '../entities/api-token';

function usage(message: string): never {
  console.error(
    `${message}\nUsage: npm run token:create -- --name <name> --scopes ${TOKEN_SCOPES.join(',')} [--expires-in 90d]`,
  );
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { name: { type: 'string' }, scopes: { type: 'string' }, 'expires-in': { type: 'string' } },
    strict: true,
  });
  const name = values.name?.trim();
  if (!name) usage('--name is required');
  const scopes = (values.scopes ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (scopes.length === 0) usage('--scopes is required');
  const unknown = scopes.filter((s) => !(TOKEN_SCOPES as readonly string[]).includes(s));
  if (unknown.length) usage(`unknown scope(s): ${unknown.join(', ')}`);
  let expiresAt: Date | null = null;
  if (values['expires-in'] !== undefined) {
    const ms = parseDuration(values['expires-in']);
    if (ms === null || ms <= 0) usage(`--expires-in "${values['expires-in']}" is not a duration (e.g. 90d, 12h)`);
    expiresAt = new Date(Date.now() + ms);
  }

  const orm = await openPrimaryOrm(loadConfig().database);
  try {
    const { token, secret } = await createToken(orm.em.fork(), { name, scopes: scopes as TokenScope[], expiresAt });
    console.log(
      `Created token #${token.id} "${token.name}" scopes=${token.scopes.join(',')} expires=${token.expiresAt?.toISOString() ?? 'never'}`,
    );
    console.log('Store it now: it is not shown again.');
    console.log(secret);
  } finally {
    await orm.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
