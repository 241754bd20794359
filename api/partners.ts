import type { EntityManager } from '@mikro-orm/knex';
import { z } from 'zod';
import { PartnerSchema } from '../entities/partner';
import type { ProcessingState } from '../entities/processing-state';
import { partnerInbound } from '../sync/inbound/partner/spec';
import { partnerHierarchy, type HierarchyNode } from '../sync/feeds/partner-hierarchy';
import {
  BAD_ID,
  changeFeedRoutes,
  idParamsSchema,
  odooIdSchema,
  parseId,
  processingStateSchema,
  rowIdSchema,
} from './change-feed-routes';
import type { ApiDeps } from './http/context';
import { ApiError } from './http/errors';
import { inboundPushRoute } from './inbound-push';
import type { RouteDef } from './http/route-table';

interface TreeNode {
  id: number;
  external_id: string;
  odoo_id: number | null;
  type: string | null;
  name: string | null;
  processing_state: ProcessingState;
  children: TreeNode[];
}

const treeNodeSchema: z.ZodType<TreeNode> = z.lazy(() =>
  z.object({
    id: rowIdSchema,
    external_id: z.string(),
    odoo_id: odooIdSchema,
    type: z.string().nullable(),
    name: z.string().nullable(),
    processing_state: processingStateSchema,
    children: z.array(treeNodeSchema),
  }),
);

function serializeNode(node: HierarchyNode): TreeNode {
  const p = node.partner;
  return {
    id: p.id,
    external_id: p.externalId,
    odoo_id: p.odooId,
    type: p.type,
    name: p.name,
    processing_state: p.processingState,
    children: node.children.map(serializeNode),
  };
}

export function partnerRoutes(deps: ApiDeps): RouteDef[] {
  return [
    inboundPushRoute(deps, partnerInbound, {
      path: '/api/v1/partners',
      tag: 'partners',
      example: {
        external_id: 'P-1001',
        odoo_id: 7,
        type: 'C',
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        city: 'London',
        country_code: 'GB',
        write_date: '2026-11-01T10:00:00Z',
      },
    }),
    ...changeFeedRoutes(deps, { plural: 'partners', entity: PartnerSchema, tag: 'partners' }),
    {
      method: 'get',
      path: '/api/v1/updated-partners/:id/hierarchy',
      scope: 'webshop',
      operationId: 'get_partner_hierarchy',
      summary: "The partner's whole tree: from its root ancestor down to every descendant",
      tag: 'partners',
      params: idParamsSchema,
      responses: {
        200: {
          description: 'The tree; `cycle` is true when a parent link loops (each partner still appears once)',
          schema: z.object({ partner_id: rowIdSchema, cycle: z.boolean(), root: treeNodeSchema }),
        },
        400: BAD_ID,
        404: { description: 'Unknown id' },
      },
      handler: async (ctx) => {
        const id = parseId(ctx.params.id);
        const em = deps.orm.em.fork() as EntityManager;
        const partner = await em.findOne(PartnerSchema, { id });
        if (!partner) throw new ApiError(404, 'not_found', `No partner with id ${id}`);
        const tree = await partnerHierarchy(em, partner);
        ctx.body = { partner_id: id, cycle: tree.cycle, root: serializeNode(tree.root) };
      },
    },
  ];
}
