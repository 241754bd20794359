import { EntitySchema } from '@mikro-orm/core';

/** Row of the legacy `partner` table. `json_data` may be json, jsonb or text, and may be malformed. */
export interface LegacyPartner {
  id: number;
  externalId: string;
  odooId: number | null;
  jsonData: string | null;
}

export const LegacyPartnerSchema = new EntitySchema<LegacyPartner>({
  name: 'LegacyPartner',
  tableName: 'partner',
  readonly: true,
  properties: {
    id: { type: 'integer', primary: true },
    externalId: { type: 'string' },
    odooId: { type: 'integer', nullable: true },
    jsonData: { type: 'text', nullable: true },
  },
});
