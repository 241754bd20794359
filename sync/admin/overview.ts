import { raw, type EntitySchema } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { PartnerSchema } from '../../entities/partner';
import {
  ENTITY_TYPES,
  PROCESSING_STATES,
  type EntityType,
  type ProcessingState,
} from '../../entities/processing-state';
import { ProductSchema } from '../../entities/product';
import { PurchaseOrderSchema } from '../../entities/purchase-order';
import { SaleOrderSchema, SYNC_STATES, type SyncState } from '../../entities/sale-order';
import { StockSchema } from '../../entities/stock';
import type { SyncFields } from '../../entities/sync-fields';
import { feedBacklogs } from '../feeds/webshop-feeds';
import { integrationStatuses, type IntegrationStatus } from '../runs/integration-status';

/** Inbound records by entity type; webshop orders share the sale order table and are counted apart. */
const INBOUND: { entityType: EntityType; entity: EntitySchema<SyncFields>; scope: Record<string, unknown> }[] = [
  { entityType: 'product', entity: ProductSchema as unknown as EntitySchema<SyncFields>, scope: {} },
  { entityType: 'partner', entity: PartnerSchema as unknown as EntitySchema<SyncFields>, scope: {} },
  {
    entityType: 'sale_order',
    entity: SaleOrderSchema as unknown as EntitySchema<SyncFields>,
    scope: { direction: 'inbound' },
  },
  { entityType: 'stock', entity: StockSchema as unknown as EntitySchema<SyncFields>, scope: {} },
  { entityType: 'purchase_order', entity: PurchaseOrderSchema as unknown as EntitySchema<SyncFields>, scope: {} },
];

type StateCounts<S extends string> = Record<S, number> & { total: number };

export interface AdminOverview {
  generated_at: string;
  entities: Record<string, StateCounts<ProcessingState>>;
  stubs: {
    total: number;
    stale: number;
    stale_after_ms: number;
    by_entity: Record<string, { total: number; stale: number }>;
  };
  awaiting_dependencies: { total: number; by_entity: Record<string, number> };
  sync_back: {
    by_state: StateCounts<SyncState>;
    failed: number;
    /** Still being retried after a failed attempt (Odoo down, timeouts). */
    retrying: number;
    awaiting_dependencies: number;
  };
  /** Per webshop feed: the oldest change the webshop has not acknowledged yet. */
  feeds: Record<string, { oldest_unacknowledged_at: string | null; backlog_seconds: number }>;
  /** Per entity type: its last sync run, last success, pull status, watermark and lag. */
  integration: Record<string, IntegrationStatus>;
}

async function countBy<S extends string>(
  em: EntityManager,
  entity: EntitySchema<SyncFields>,
  column: 'processingState' | 'syncState',
  states: readonly S[],
  where: Record<string, unknown>,
): Promise<StateCounts<S>> {
  const rows: { state: string | null; n: number | string }[] = await em
    .createQueryBuilder(entity)
    .select([raw(`${column === 'processingState' ? 'processing_state' : 'sync_state'} as state`), raw('count(*) as n')])
    .where(where)
    .groupBy(column as never)
    .execute('all', false);
  const counts: Record<string, number> = Object.fromEntries(states.map((s) => [s, 0]));
  let total = 0;
  for (const row of rows) {
    const n = Number(row.n);
    total += n;
    if (row.state !== null) counts[row.state] = (counts[row.state] ?? 0) + n;
  }
  return { ...counts, total } as StateCounts<S>;
}

/**
 * What an operator checks first: where records stand, stubs never upgraded, webshop orders in trouble, and how far
 * behind the webshop is on its feeds.
 */
export async function adminOverview(em: EntityManager, staleAfterMs: number, now = new Date()): Promise<AdminOverview> {
  const staleBefore = new Date(now.getTime() - staleAfterMs);
  const entities: AdminOverview['entities'] = {};
  const stubs: AdminOverview['stubs'] = { total: 0, stale: 0, stale_after_ms: staleAfterMs, by_entity: {} };
  const awaiting: AdminOverview['awaiting_dependencies'] = { total: 0, by_entity: {} };
  for (const { entityType, entity, scope } of INBOUND) {
    const counts = await countBy(em, entity, 'processingState', PROCESSING_STATES, scope);
    const stale = await em.count(entity, { ...scope, processingState: 'stub', stubCreatedAt: { $lte: staleBefore } });
    entities[entityType] = counts;
    stubs.by_entity[entityType] = { total: counts.stub, stale };
    stubs.total += counts.stub;
    stubs.stale += stale;
    awaiting.by_entity[entityType] = counts.awaiting_dependency;
    awaiting.total += counts.awaiting_dependency;
  }

  const outbound = { direction: 'outbound' } as const;
  const byState = await countBy(
    em,
    SaleOrderSchema as unknown as EntitySchema<SyncFields>,
    'syncState',
    SYNC_STATES,
    outbound,
  );
  const retrying = await em.count(SaleOrderSchema, { ...outbound, syncState: 'syncing', lastSyncError: { $ne: null } });
  awaiting.by_entity.sync_back = byState.awaiting_dependency;
  awaiting.total += byState.awaiting_dependency;
  const feeds: AdminOverview['feeds'] = {};
  for (const { feed, oldestUnacknowledged, backlogSeconds } of await feedBacklogs(em, now)) {
    feeds[feed] = {
      oldest_unacknowledged_at: oldestUnacknowledged?.toISOString() ?? null,
      backlog_seconds: backlogSeconds,
    };
  }
  const integration = await integrationStatuses(em, ENTITY_TYPES, now);
  return {
    generated_at: now.toISOString(),
    entities,
    stubs,
    awaiting_dependencies: awaiting,
    sync_back: {
      by_state: byState,
      failed: byState.failed,
      retrying,
      awaiting_dependencies: byState.awaiting_dependency,
    },
    feeds,
    integration,
  };
}
