import type { EntityManager } from '@mikro-orm/knex';
import { PartnerSchema, type Partner } from '../../entities/partner';

export interface HierarchyNode {
  partner: Partner;
  children: HierarchyNode[];
}

/** Deep enough for any real company tree; a deeper chain is cut rather than followed forever. */
const MAX_DEPTH = 64;

/**
 * The whole tree a partner belongs to: up to its root, then every descendant, level by level (one query per
 * level). A parent link that loops back is followed once: each partner appears in the tree once.
 */
export async function partnerHierarchy(
  em: EntityManager,
  partner: Partner,
): Promise<{ root: HierarchyNode; cycle: boolean }> {
  const seen = new Set<string>([partner.externalId]);
  let root = partner;
  let cycle = false;
  for (let depth = 0; root.parentExternalId && depth < MAX_DEPTH; depth++) {
    if (seen.has(root.parentExternalId)) {
      cycle = true;
      break;
    }
    const parent = await em.findOne(PartnerSchema, { externalId: root.parentExternalId });
    if (!parent) break;
    seen.add(parent.externalId);
    root = parent;
  }

  const rootNode: HierarchyNode = { partner: root, children: [] };
  const placed = new Set<string>([root.externalId]);
  let level = [rootNode];
  for (let depth = 0; level.length && depth < MAX_DEPTH; depth++) {
    const byExternalId = new Map(level.map((node) => [node.partner.externalId, node]));
    const children = await em.find(
      PartnerSchema,
      { parentExternalId: { $in: [...byExternalId.keys()] } },
      { orderBy: { externalId: 'asc' } },
    );
    const next: HierarchyNode[] = [];
    for (const child of children) {
      if (placed.has(child.externalId)) {
        cycle = true;
        continue;
      }
      placed.add(child.externalId);
      const node = { partner: child, children: [] };
      byExternalId.get(child.parentExternalId!)!.children.push(node);
      next.push(node);
    }
    level = next;
  }
  return { root: rootNode, cycle };
}
