import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { findPlainRows } from '../../db/plain-rows';
import type { SyncFields } from '../../entities/sync-fields';
import type { OdooClient, OdooRecord } from '../../odoo/odoo-client';
import type { PullEntityType } from '../../workflows/contract';
import { PULL_SPECS } from './pull-specs';
import { text } from '../../odoo/odoo-values';

/** The Odoo model each pulled entity type is read from. */
export const ODOO_MODELS: Record<PullEntityType, string> = {
  product: 'product.product',
  partner: 'res.partner',
  sale_order: 'sale.order',
  purchase_order: 'purchase.order',
};

/** `id`: the record's Odoo id as text; any other name: that Odoo field's value (the id when it is empty). */
export type ExternalIdFields = Partial<Record<PullEntityType, string>>;

/**
 * Gives pulled Odoo records their external ids, and the ids of the records they point at. A record already
 * stored (pushed, pulled or a stub) keeps the external id it has, found by its Odoo id; only a record new to
 * the service gets one from the configured field. So a pull never makes a second row for one Odoo record,
 * even after the field's value changed in Odoo.
 */
export class ExternalIdResolver {
  private readonly known = new Map<string, string>();

  constructor(
    private readonly em: EntityManager,
    private readonly odoo: OdooClient,
    private readonly fields: ExternalIdFields,
  ) {}

  fieldOf(entityType: PullEntityType): string {
    return this.fields[entityType] ?? 'id';
  }

  /** External ids by Odoo id; `rows` are records already read with the configured field, spared a read. */
  async resolve(entityType: PullEntityType, odooIds: number[], rows: OdooRecord[] = []): Promise<Map<number, string>> {
    const result = new Map<number, string>();
    const missing = new Set<number>();
    for (const id of odooIds) {
      const cached = this.known.get(`${entityType}:${id}`);
      if (cached !== undefined) result.set(id, cached);
      else missing.add(id);
    }
    if (missing.size === 0) return result;

    for (const [id, externalId] of await this.stored(entityType, [...missing])) {
      this.remember(entityType, id, externalId, result);
      missing.delete(id);
    }
    const field = this.fieldOf(entityType);
    const fromRows = new Map(rows.map((row) => [row.id, row]));
    const toRead = [...missing].filter((id) => field !== 'id' && !fromRows.has(id));
    if (toRead.length > 0) {
      const read = await this.odoo.searchRead(ODOO_MODELS[entityType], [['id', 'in', toRead]], [field], {
        context: { active_test: false },
      });
      for (const row of read) fromRows.set(row.id, row);
    }
    for (const id of missing) {
      const value = field === 'id' ? null : text(fromRows.get(id)?.[field]);
      this.remember(entityType, id, value?.trim() ?? String(id), result);
    }
    return result;
  }

  private remember(entityType: PullEntityType, id: number, externalId: string, into: Map<number, string>): void {
    this.known.set(`${entityType}:${id}`, externalId);
    into.set(id, externalId);
  }

  private async stored(entityType: PullEntityType, odooIds: number[]): Promise<Map<number, string>> {
    const spec = PULL_SPECS[entityType];
    const rows = await findPlainRows(this.em, spec.entity, {
      fields: ['odooId', 'externalId'],
      where: { ...spec.rowScope, odooId: { $in: odooIds } } as FilterQuery<SyncFields>,
      orderBy: { id: 'asc' },
    });
    const found = new Map<number, string>();
    // Two rows with one Odoo id (pushed under different external ids): the oldest is the record's.
    for (const row of rows as Pick<SyncFields, 'odooId' | 'externalId'>[]) {
      if (row.odooId !== null && !found.has(row.odooId)) found.set(row.odooId, row.externalId);
    }
    return found;
  }
}
