import type { EntityManager } from '@mikro-orm/knex';
import { PartnerSchema } from '../../entities/partner';
import { ProductSchema } from '../../entities/product';
import { AVAILABLE_STATES, dependencyKey } from '../inbound/dependency-check';

/** What a webshop order needs before it can be created in Odoo: its partner and products, with Odoo ids. */
export interface OrderDependencies {
  partnerId: number | undefined;
  /** Odoo id by product external id. */
  productIds: Map<string, number>;
  /** Dependency keys (`partner:P-1`) of records not stored at all: the legacy database may know them. */
  missing: string[];
  /** Keys of records stored but not usable yet: still being processed, or without an Odoo id. */
  notReady: string[];
}

export function unresolvedKeys(deps: OrderDependencies): string[] {
  return [...deps.missing, ...deps.notReady];
}

type Usable = { externalId: string; processingState: string; odooId: number | null };

function classify(rows: Usable[], wanted: string[], entityType: 'partner' | 'product') {
  const byId = new Map(rows.map((r) => [r.externalId, r]));
  const ids = new Map<string, number>();
  const missing: string[] = [];
  const notReady: string[] = [];
  for (const externalId of wanted) {
    const row = byId.get(externalId);
    const key = dependencyKey({ entityType, externalId });
    if (!row) missing.push(key);
    else if (!(AVAILABLE_STATES as readonly string[]).includes(row.processingState) || row.odooId === null)
      notReady.push(key);
    else ids.set(externalId, row.odooId);
  }
  return { ids, missing, notReady };
}

/** Two queries, whatever the number of lines. A stub from the legacy database counts once it has an Odoo id. */
export async function resolveOrderDependencies(
  em: EntityManager,
  partnerExternalId: string,
  productExternalIds: readonly string[],
): Promise<OrderDependencies> {
  const products = [...new Set(productExternalIds)];
  const fields = ['externalId', 'processingState', 'odooId'] as const;
  const [partnerRows, productRows] = await Promise.all([
    em.fork().find(PartnerSchema, { externalId: partnerExternalId }, { fields }),
    products.length ? em.fork().find(ProductSchema, { externalId: { $in: products } }, { fields }) : [],
  ]);
  const partner = classify(partnerRows, [partnerExternalId], 'partner');
  const lines = classify(productRows, products, 'product');
  return {
    partnerId: partner.ids.get(partnerExternalId),
    productIds: lines.ids,
    missing: [...partner.missing, ...lines.missing],
    notReady: [...partner.notReady, ...lines.notReady],
  };
}
