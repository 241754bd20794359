import type { EntityManager } from '@mikro-orm/core';
import { LRUCache } from 'lru-cache';
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

export type TokenVerifier = (secret: string, now?: Date) => Promise<TokenCheck>;

/**
 * Resolves presented plaintext tokens; records each token's use at most once a minute. A found token is reused
 * for `cacheTtlMs` without asking the store again (0: every request asks), so a busy client's requests cost no
 * token query; activity and expiry are still checked on every request against what was read.
 */
export function createTokenVerifier(em: () => EntityManager, cacheTtlMs: number): TokenVerifier {
  const found = cacheTtlMs > 0 ? new LRUCache<string, ApiToken>({ max: 10_000, ttl: cacheTtlMs }) : undefined;
  return async (secret, now = new Date()) => {
    const digest = hashTokenSecret(secret);
    let token = found?.get(digest);
    if (!token) {
      token = (await em().findOne(ApiTokenSchema, { tokenHash: digest })) ?? undefined;
      if (!token || !sameDigest(token.tokenHash, digest)) return { ok: false, reason: 'unknown' };
      found?.set(digest, token);
    }
    if (!token.active) return { ok: false, reason: 'inactive' };
    if (token.expiresAt && token.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
    if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      token.lastUsedAt = now;
      await em().nativeUpdate(ApiTokenSchema, { id: token.id }, { lastUsedAt: now });
    }
    return { ok: true, token };
  };
}

export function hasScope(token: ApiToken, scope: TokenScope): boolean {
  return token.scopes.includes(scope) || token.scopes.includes('admin');
}
