import { EntitySchema } from '@mikro-orm/core';
import { feedIndex, syncFieldProperties, type SyncFields } from './sync-fields';

export const PARTNER_TYPES = ['B', 'C', 'D', 'O'] as const;
export type PartnerType = (typeof PARTNER_TYPES)[number];

export interface Partner extends SyncFields {
  /** Null only for a stub whose legacy record did not say. */
  type: PartnerType | null;
  parentExternalId: string | null;
  name: string | null;
  email: string | null;
}

export const PartnerSchema = new EntitySchema<Partner>({
  name: 'Partner',
  tableName: 'partners',
  properties: {
    ...syncFieldProperties,
    type: { type: 'string', length: 1, nullable: true },
    parentExternalId: {
      type: 'string',
      length: 191,
      nullable: true,
      index: true,
    },
    name: { type: 'string', length: 255, nullable: true },
    email: { type: 'string', length: 255, nullable: true },
  },
  indexes: [feedIndex('partners')],
});
