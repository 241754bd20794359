import type { EntityName } from '@mikro-orm/core';
import { ENTITY_TYPES, type EntityType } from '../../entities/processing-state';
import type { SyncFields } from '../../entities/sync-fields';
import type { InboundSpec } from './spec';
import { partnerInbound } from './partner/spec';
import { productInbound } from './product/spec';
import { purchaseOrderInbound } from './purchase-order/spec';
import { saleOrderInbound } from './sale-order/spec';
import { stockInbound } from './stock/spec';

/**
 * An inbound spec seen through its stored rows alone, whatever its record and entity types: what processing,
 * dependency checks, stubs and the pending sweep need. The entity goes by its name, which MikroORM resolves
 * exactly as it resolves the schema (an `EntitySchema<Partner>` is no `EntitySchema<SyncFields>`).
 */
export type AnyInboundSpec = Pick<InboundSpec<unknown>, 'entityType' | 'rowScope' | 'dependenciesOf'> & {
  entity: EntityName<SyncFields>;
};

function rowsOf<R, E extends SyncFields>(spec: InboundSpec<R, E>): AnyInboundSpec {
  const { entityType, rowScope, dependenciesOf } = spec;
  return { entityType, entity: spec.entity.meta.className, rowScope, dependenciesOf };
}

const specs: Record<EntityType, AnyInboundSpec> = {
  product: rowsOf(productInbound),
  partner: rowsOf(partnerInbound),
  sale_order: rowsOf(saleOrderInbound),
  stock: rowsOf(stockInbound),
  purchase_order: rowsOf(purchaseOrderInbound),
};

export function inboundSpecFor(entityType: EntityType): AnyInboundSpec {
  // The type may come from a workflow's input: unchecked at run time.
  if (!Object.hasOwn(specs, entityType)) throw new Error(`Entity type ${entityType} is not handled`);
  return specs[entityType];
}

export function handledEntityTypes(): EntityType[] {
  return [...ENTITY_TYPES];
}
