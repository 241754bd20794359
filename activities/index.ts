import { inboundRecordActivities, type InboundRecordDeps } from './inbound-record';
import { legacyFallbackActivities, type LegacyFallbackDeps } from './legacy-fallback';

export type ActivityDeps = InboundRecordDeps & LegacyFallbackDeps;

export function createActivities(deps: ActivityDeps) {
  return {
    ...inboundRecordActivities(deps),
    ...legacyFallbackActivities(deps),
  };
}
