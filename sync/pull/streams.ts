import type { PullEntityType } from '../../workflows/contract';
import { ODOO_MODELS } from './external-ids';

/**
 * An ordered source of Odoo rows that a run reads page by page, by `(write_date, id)`. The entity's own model
 * names its records itself; a secondary model names them through a many2one (a changed pricelist item means
 * its product is read again, since editing an item does not touch the product's `write_date`).
 */
export interface PullStream {
  key: string;
  model: string;
  /** Set for a secondary stream: the field pointing at the entity's record. */
  via?: string;
}

export function streamsOf(entityType: PullEntityType): PullStream[] {
  const own: PullStream = { key: entityType, model: ODOO_MODELS[entityType] };
  if (entityType === 'product') {
    return [own, { key: 'product:product.pricelist.item', model: 'product.pricelist.item', via: 'product_id' }];
  }
  return [own];
}
