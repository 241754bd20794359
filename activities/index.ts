import { inboundRecordActivities, type InboundRecordDeps } from './inbound-record';
import { legacyFallbackActivities, type LegacyFallbackDeps } from './legacy-fallback';
import { saleOrderSyncActivities, type SaleOrderSyncDeps } from './sale-order-sync';

export type ActivityDeps = InboundRecordDeps & LegacyFallbackDeps & SaleOrderSyncDeps;

export function createActivities(deps: ActivityDeps) {
  return {
    ...inboundRecordActivities(deps),
    ...legacyFallbackActivities(deps),
    ...saleOrderSyncActivities(deps),
  };
}
