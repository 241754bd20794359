import { z } from 'zod';
import { PARTNER_TYPES } from '../../../entities/partner';
import { externalId, odooId, optionalExternalId, optionalText, timestamp } from '../../shared/record-fields';

export const partnerRecordSchema = z
  .object({
    external_id: externalId,
    odoo_id: odooId,
    type: z.enum(PARTNER_TYPES, { message: `must be one of ${PARTNER_TYPES.join(', ')}` }),
    parent_external_id: optionalExternalId,
    name: optionalText(),
    email: optionalText(),
    vat: optionalText(64),
    street: optionalText(),
    city: optionalText(128),
    zip: optionalText(32),
    country_code: optionalText(8),
    write_date: timestamp,
  })
  .loose()
  .refine((p) => p.parent_external_id !== p.external_id, {
    message: 'a partner cannot be its own parent',
    path: ['parent_external_id'],
  });

export type PartnerRecord = z.output<typeof partnerRecordSchema>;
