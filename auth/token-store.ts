import type { EntityManager } from '@mikro-orm/core';
import { ApiTokenSchema, type ApiToken, type TokenScope } from '../entities/api-token';
import { displayPrefix, generateTokenSecret, hashTokenSecret, sameDigest } from './token-secret';

export interface NewToken {
  name: string;
  scopes: TokenScope[];
  expiresAt?: Date | null;
}

/** Stores a new token and returns its plaintext, which exists nowhere else afterwards. */
export async function createToken(em: EntityManager, input: NewToken): Promise<{ token: ApiToken; secret: string }> {
  const secret = generateTokenSecret();
  const token = em.create(ApiTokenSchema, {
    name: input.name,
    tokenHash: hashTokenSecret(secret),
    prefix: displayPrefix(secret),
    scopes: [...new Set(input.scopes)],
    active: true,
    expiresAt: input.expiresAt ?? null,
    lastUsedAt: null,
    createdAt: new Date(),
  });
  await em.persistAndFlush(token);
  return { token, secret };
}

export type TokenCheck = { ok: true; token: ApiToken } | { ok: false; reason: 'unknown' | 'inactive' | 'expired' };

const LAST_USED_RESOLUTION_MS = 60_000;

/** Resolves a presented plaintext token; records its use at most once a minute. */
export async function verifyToken(em: EntityManager, secret: string, now = new Date()): Promise<TokenCheck> {
  const digest = hashTokenSecret(secret);
  const token = await em.findOne(ApiTokenSchema, { tokenHash: digest });
  if (!token || !sameDigest(token.tokenHash, digest)) return { ok: false, reason: 'unknown' };
  if (!token.active) return { ok: false, reason: 'inactive' };
  if (token.expiresAt && token.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await em.nativeUpdate(ApiTokenSchema, { id: token.id }, { lastUsedAt: now });
  }
  return { ok: true, token };
}

export function hasScope(token: ApiToken, scope: TokenScope): boolean {
  return token.scopes.includes(scope) || token.scopes.includes('admin');
}
