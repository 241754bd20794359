/** Opaque keyset position in a feed: the last item's change time and id. */
export interface FeedPosition {
  changedAt: Date;
  id: number;
}

export function encodeCursor(position: FeedPosition): string {
  return Buffer.from(JSON.stringify([position.changedAt.getTime(), position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): FeedPosition | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [ms, id] = value as unknown[];
    if (!Number.isSafeInteger(ms) || !Number.isSafeInteger(id) || (id as number) < 0) return null;
    return { changedAt: new Date(ms as number), id: id as number };
  } catch {
    return null;
  }
}

/** Opaque cursor over a plain ordered key (an id, a pricelist id): the last key, base64url. */
export function encodeKeyCursor(key: string | number): string {
  return Buffer.from(String(key), 'utf8').toString('base64url');
}

export function decodeKeyCursor(cursor: string): string | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  return text && encodeKeyCursor(text) === cursor ? text : null;
}
