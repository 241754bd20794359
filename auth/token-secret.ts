import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'ows_';

/** A new plaintext token: recognisable prefix plus 256 random bits. */
export function generateTokenSecret(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Compares two hex digests in constant time. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

export function displayPrefix(secret: string): string {
  return secret.slice(0, 12);
}
