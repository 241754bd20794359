import type { EntityType } from '../../entities/processing-state';
import type { SyncFields } from '../../entities/sync-fields';
import type { InboundSpec } from './spec';
import { partnerInbound } from './partner/spec';
import { productInbound } from './product/spec';
import { purchaseOrderInbound } from './purchase-order/spec';
import { saleOrderInbound } from './sale-order/spec';
import { stockInbound } from './stock/spec';

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
