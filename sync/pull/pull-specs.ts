import type { InboundSpec } from '../inbound/spec';
import { partnerInbound } from '../inbound/partner/spec';
import { productInbound } from '../inbound/product/spec';
import { purchaseOrderInbound } from '../inbound/purchase-order/spec';
import { saleOrderInbound } from '../inbound/sale-order/spec';
import type { PullEntityType } from '../../workflows/contract';

/** The push's own inbound specs: a pulled record is validated and imported exactly as a pushed one. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const PULL_SPECS: Record<PullEntityType, InboundSpec<any, any>> = {
  product: productInbound,
  partner: partnerInbound,
  sale_order: saleOrderInbound,
  purchase_order: purchaseOrderInbound,
};
