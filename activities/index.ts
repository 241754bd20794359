import { inboundRecordActivities, type InboundRecordDeps } from './inbound-record';

export type ActivityDeps = InboundRecordDeps;

export function createActivities(deps: ActivityDeps) {
  return {
    ...inboundRecordActivities(deps),
  };
}
