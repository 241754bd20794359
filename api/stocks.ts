import type { SyncFields } from '../entities/sync-fields';
import type { InboundSpec } from '../sync/inbound-spec';
import { stockRecordSchema } from '../sync/records/stock';
import { stockInbound } from '../sync/stock';
import type { ApiDeps } from './context';
import { inboundPushRoute } from './inbound-push';
import type { RouteDef } from './route-table';

export function stockRoutes(deps: ApiDeps): RouteDef[] {
  return [
    inboundPushRoute(deps, stockInbound as unknown as InboundSpec<unknown, SyncFields>, {
      path: '/api/v1/stocks',
      tag: 'stocks',
      recordSchema: stockRecordSchema,
    }),
  ];
}
