import type { SyncFields } from '../entities/sync-fields';
import type { InboundSpec } from '../sync/inbound-spec';
import { purchaseOrderInbound } from '../sync/purchase-order';
import { purchaseOrderRecordSchema } from '../sync/records/purchase-order';
import type { ApiDeps } from './context';
import { inboundPushRoute } from './inbound-push';
import type { RouteDef } from './route-table';

export function purchaseOrderRoutes(deps: ApiDeps): RouteDef[] {
  return [
    inboundPushRoute(deps, purchaseOrderInbound as unknown as InboundSpec<unknown, SyncFields>, {
      path: '/api/v1/purchase-orders',
      tag: 'purchase-orders',
      recordSchema: purchaseOrderRecordSchema,
    }),
  ];
}
