import { PartnerSchema, type Partner } from '../../../entities/partner';
import type { InboundSpec } from '../spec';
import { partnerRecordSchema, type PartnerRecord } from './record';

/** Maps a pushed partner onto its row. */
export const partnerInbound: InboundSpec<PartnerRecord, Partner> = {
  entityType: 'partner',
  batchKey: 'partners',
  schema: partnerRecordSchema,
  entity: PartnerSchema,
  externalIdOf: (r) => r.external_id,
  writeDateOf: (r) => r.write_date,
  diffIgnore: ['write_date'],
  dependenciesOf: (data) =>
    typeof data.parent_external_id === 'string' && data.parent_external_id
      ? [{ entityType: 'partner', externalId: data.parent_external_id }]
      : [],
  columnsOf: (r) => ({
    type: r.type,
    parentExternalId: r.parent_external_id,
    name: r.name,
    email: r.email,
  }),
};
