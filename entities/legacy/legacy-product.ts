import { EntitySchema } from '@mikro-orm/core';

/** Row of the legacy `product` table. `json_data` may be json, jsonb or text, and may be malformed. */
export interface LegacyProduct {
  id: number;
  externalId: string;
  odooId: number | null;
  jsonData: string | null;
  context: string | null;
}

export const LegacyProductSchema = new EntitySchema<LegacyProduct>({
  name: 'LegacyProduct',
  tableName: 'product',
  readonly: true,
  properties: {
    id: { type: 'integer', primary: true },
    externalId: { type: 'string' },
    odooId: { type: 'integer', nullable: true },
    jsonData: { type: 'text', nullable: true },
    context: { type: 'string', nullable: true },
  },
});
