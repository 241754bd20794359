import type { EntityType } from '../entities/processing-state';
import type { SyncFields } from '../entities/sync-fields';
import type { InboundSpec } from './inbound-spec';
import { partnerInbound } from './partner';

type AnySpec = InboundSpec<unknown, SyncFields>;

const specs: Partial<Record<EntityType, AnySpec>> = {
  partner: partnerInbound as unknown as AnySpec,
};

export function inboundSpecFor(entityType: EntityType): AnySpec {
  const spec = specs[entityType];
  if (!spec) throw new Error(`Entity type ${entityType} is not handled`);
  return spec;
}

export function handledEntityTypes(): EntityType[] {
  return Object.keys(specs) as EntityType[];
}
