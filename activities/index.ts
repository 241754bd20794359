import { inboundRecordActivities, type InboundRecordDeps } from './inbound-record';
import { odooPullActivities, type OdooPullDeps } from './odoo-pull';
import { legacyFallbackActivities, type LegacyFallbackDeps } from './legacy-fallback';
import { saleOrderSyncActivities, type SaleOrderSyncDeps } from './sale-order-sync';

export type ActivityDeps = InboundRecordDeps & LegacyFallbackDeps & SaleOrderSyncDeps & OdooPullDeps;

export function createActivities(deps: ActivityDeps) {
  return {
    ...inboundRecordActivities(deps),
    ...legacyFallbackActivities(deps),
    ...saleOrderSyncActivities(deps),
    ...odooPullActivities(deps),
  };
}
