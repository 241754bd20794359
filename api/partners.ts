import { PartnerSchema } from '../entities/partner';
import { partnerInbound } from '../sync/partner';
import { partnerRecordSchema } from '../sync/records/partner';
import type { SyncFields } from '../entities/sync-fields';
import type { InboundSpec } from '../sync/inbound-spec';
import { changeFeedRoutes } from './change-feed-routes';
import type { ApiDeps } from './context';
import { inboundPushRoute } from './inbound-push';
import type { RouteDef } from './route-table';

export function partnerRoutes(deps: ApiDeps): RouteDef[] {
  return [
    inboundPushRoute(deps, partnerInbound as unknown as InboundSpec<unknown, SyncFields>, {
      path: '/api/v1/partners',
      tag: 'partners',
      recordSchema: partnerRecordSchema,
    }),
    ...changeFeedRoutes(deps, { plural: 'partners', entity: PartnerSchema, tag: 'partners' }),
  ];
}
