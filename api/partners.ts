import type { EntityManager } from '@mikro-orm/knex';
import { z } from 'zod';
import { PartnerSchema } from '../entities/partner';
import { partnerInbound } from '../sync/inbound/partner/spec';
import { partnerHierarchy, type HierarchyNode } from '../sync/feeds/partner-hierarchy';
import { changeFeedRoutes, parseId } from './change-feed-routes';
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
  processing_state: string;
  children: TreeNode[];
}

const treeNodeSchema: z.ZodType<TreeNode> = z.lazy(() =>
  z.object({
    id: z.number().int(),
    external_id: z.string(),
    odoo_id: z.number().int().nullable(),
    type: z.string().nullable(),
    name: z.string().nullable(),
    processing_state: z.string(),
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
    }),
    ...changeFeedRoutes(deps, { plural: 'partners', entity: PartnerSchema, tag: 'partners' }),
    {
      method: 'get',
      path: '/api/v1/updated-partners/:id/hierarchy',
      scope: 'webshop',
      operationId: 'get_partner_hierarchy',
      summary: "The partner's whole tree: from its root ancestor down to every descendant",
      tag: 'partners',
      responses: {
        200: {
          description: 'The tree; `cycle` is true when a parent link loops (each partner still appears once)',
          schema: z.object({ partner_id: z.number().int(), cycle: z.boolean(), root: treeNodeSchema }),
        },
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
