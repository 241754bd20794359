import { EntitySchema } from '@mikro-orm/core';
import { JsonColumnType } from './json-column';
import { bigintId, datetime } from './sync-fields';

export const TOKEN_SCOPES = ['odoo', 'webshop', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export interface ApiToken {
  id: number;
  name: string;
  /** SHA-256 of the plaintext token, hex; the plaintext is never stored. */
  tokenHash: string;
  /** First characters of the plaintext, to tell tokens apart in logs and listings. */
  prefix: string;
  scopes: TokenScope[];
  active: boolean;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}

export const ApiTokenSchema = new EntitySchema<ApiToken>({
  name: 'ApiToken',
  tableName: 'api_tokens',
  properties: {
    id: bigintId(),
    name: { type: 'string', length: 191 },
    tokenHash: { type: 'string', length: 64, unique: true },
    prefix: { type: 'string', length: 16 },
    scopes: { type: JsonColumnType },
    active: { type: 'boolean', default: true },
    expiresAt: { ...datetime, nullable: true },
    lastUsedAt: { ...datetime, nullable: true },
    createdAt: { ...datetime },
  },
});
