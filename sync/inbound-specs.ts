import type { EntityType } from '../entities/processing-state';
import type { SyncFields } from '../entities/sync-fields';
import type { InboundSpec } from './inbound-spec';
import { partnerInbound } from './partner';
import { productInbound } from './product';
import { purchaseOrderInbound } from './purchase-order';
import { saleOrderInbound } from './sale-order';
import { stockInbound } from './stock';

type AnySpec = InboundSpec<unknown, SyncFields>;

const specs: Partial<Record<EntityType, AnySpec>> = {
  product: productInbound as unknown as AnySpec,
  partner: partnerInbound as unknown as AnySpec,
  sale_order: saleOrderInbound as unknown as AnySpec,
  stock: stockInbound as unknown as AnySpec,
  purchase_order: purchaseOrderInbound as unknown as AnySpec,
};

export function inboundSpecFor(entityType: EntityType): AnySpec {
  const spec = specs[entityType];
  if (!spec) throw new Error(`Entity type ${entityType} is not handled`);
  return spec;
}

export function handledEntityTypes(): EntityType[] {
  return Object.keys(specs) as EntityType[];
}
