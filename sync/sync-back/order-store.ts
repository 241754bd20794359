import {
  DeadlockException,
  LockMode,
  LockWaitTimeoutException,
  UniqueConstraintViolationException,
  type RequiredEntityData,
} from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { supportsRowLocks } from '../../db/dialect';
import { inTransaction } from '../../db/transaction';
import { SaleOrderLineSchema, SaleOrderSchema, type SaleOrder, type SyncState } from '../../entities/sale-order';
import { changedFields } from '../shared/change-detection';
import type { WebshopOrderRecord } from './webshop-order-record';
import { writeRefusal } from './order-merge';

/**
 * created / updated: stored as posted (no create sent yet). unchanged: the same order again. queued_for_odoo: the
 * order is in Odoo (or its create is on its way): the change is stored as the webshop's pending version, which the
 * sync-back writes to the Odoo order. conflict: Odoo's order can no longer take a change (delivered, invoiced,
 * cancelled, locked) or the order already waits for an operator; the change is stored and waits with it. An order
 * cancelled here takes no change: nothing is stored, and the answer is conflict.
 */
export type WebshopOrderOutcome = 'created' | 'updated' | 'unchanged' | 'queued_for_odoo' | 'conflict';

export interface StoredWebshopOrder {
  outcome: WebshopOrderOutcome;
  syncState: SyncState;
}

/** States in which no create can be on its way to Odoo, so a repost may still replace the order. */
const REPLACEABLE: readonly (SyncState | null)[] = ['pending', 'awaiting_dependency', 'failed'];
// The stored data gains `odoo_id` once the order is in Odoo, and `odoo` (Odoo's version); the webshop sends neither.
const DIFF_IGNORE = ['write_date', 'odoo_id', 'odoo'];
const MAX_ATTEMPTS = 5;

function columnsOf(record: WebshopOrderRecord, raw: Record<string, unknown>) {
  return {
    name: record.name,
    partnerExternalId: record.partner_external_id,
    state: record.state,
    dateOrder: record.date_order,
    currency: record.currency,
    amountTotal: record.amount_total,
    sourceWriteDate: record.write_date,
    data: raw,
  };
}

/** Persists the order's lines for the next flush, numbered from 1. */
function addLines(em: EntityManager, saleOrderId: number, record: WebshopOrderRecord): void {
  record.lines.forEach((l, i) =>
    em.create(
      SaleOrderLineSchema,
      {
        saleOrderId,
        lineNo: i + 1,
        productExternalId: l.product_external_id,
        quantity: l.quantity,
        priceUnit: l.price_unit,
        discount: l.discount,
      },
      { persist: true },
    ),
  );
}

/**
 * Stores a webshop order (direction `outbound`) with its lines in one transaction. A first post creates it
 * `pending`; a changed repost replaces it while no create can be in flight, and is kept as the pending webshop version
 * once the order is in Odoo (or on its way there).
 */
export async function storeWebshopOrder(
  em: EntityManager,
  record: WebshopOrderRecord,
  raw: Record<string, unknown>,
  now = new Date(),
): Promise<StoredWebshopOrder> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await inTransaction(em, (tx) => storeInTransaction(tx, record, raw, now));
    } catch (err) {
      // Two first posts of one order collide on the unique key; the retry finds the other's row.
      const conflict =
        err instanceof UniqueConstraintViolationException ||
        err instanceof DeadlockException ||
        err instanceof LockWaitTimeoutException;
      if (!conflict || attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}

async function storeInTransaction(
  em: EntityManager,
  record: WebshopOrderRecord,
  raw: Record<string, unknown>,
  now: Date,
): Promise<StoredWebshopOrder> {
  const where = { direction: 'outbound', externalId: record.external_id } as const;
  // Only an existing row is locked: a locking read of a missing one takes gap locks, on which concurrent
  // first posts of different orders deadlock. A concurrent first post of the same order fails on the key.
  const row =
    (await em.count(SaleOrderSchema, where)) === 0
      ? null
      : await em.findOne(SaleOrderSchema, where, {
          lockMode: supportsRowLocks(em) ? LockMode.PESSIMISTIC_WRITE : undefined,
        });
  if (!row) {
    const fields = changedFields(null, raw, { ignore: DIFF_IGNORE });
    const created = em.create(
      SaleOrderSchema,
      {
        ...columnsOf(record, raw),
        externalId: record.external_id,
        direction: 'outbound',
        odooId: null,
        previousData: null,
        changedFields: fields,
        unackedChangedFields: fields,
        processingState: 'pending',
        errorMessage: null,
        retryCount: 0,
        isNew: true,
        changedAt: now,
        feedPending: false,
        acknowledgedAt: null,
        servedAt: null,
        stubCreatedAt: null,
        syncState: 'pending',
        syncAttempts: 0,
        lastSyncError: null,
        syncCreateStartedAt: null,
        odooState: null,
        syncConflicts: null,
        syncBase: null,
        odooData: null,
        createdAt: now,
        updatedAt: now,
      } satisfies RequiredEntityData<SaleOrder>,
      { persist: true },
    );
    await em.flush();
    // No delete first: deleting the lines a new order does not have would gap-lock concurrent inserts.
    addLines(em, created.id, record);
    await em.flush();
    return { outcome: 'created', syncState: 'pending' };
  }

  const fields = changedFields(row.data, raw, { ignore: DIFF_IGNORE });
  const syncState = row.syncState ?? 'pending';
  if (fields.length === 0) return { outcome: 'unchanged', syncState };
  const inOdoo = !REPLACEABLE.includes(row.syncState) || row.syncCreateStartedAt !== null || row.odooId !== null;
  if (row.syncState === 'cancelled' || row.syncState === 'cancelling') return { outcome: 'conflict', syncState };
  if (inOdoo) {
    // The pending webshop version: the workflow merges it into the Odoo order (the base of the merge stays).
    const kept = Object.fromEntries(Object.entries(row.data).filter(([key]) => key === 'odoo_id' || key === 'odoo'));
    // processing_state pending until the merge ran: the sync-back sweep hands the order off again if its workflow
    // could not be told (Temporal unreachable).
    Object.assign(row, columnsOf(record, { ...raw, ...kept }), {
      previousData: row.data,
      changedFields: fields,
      unackedChangedFields: fields,
      processingState: 'pending',
      changedAt: now,
      updatedAt: now,
    } satisfies Partial<SaleOrder>);
    await em.nativeDelete(SaleOrderLineSchema, { saleOrderId: row.id });
    addLines(em, row.id, record);
    await em.flush();
    const refused = row.syncState === 'conflict' || (row.odooData !== null && writeRefusal(row.odooData) !== undefined);
    return { outcome: refused ? 'conflict' : 'queued_for_odoo', syncState };
  }

  Object.assign(row, columnsOf(record, raw), {
    previousData: row.data,
    changedFields: fields,
    unackedChangedFields: fields,
    processingState: 'pending',
    errorMessage: null,
    syncState: 'pending',
    lastSyncError: null,
    changedAt: now,
    updatedAt: now,
  } satisfies Partial<SaleOrder>);
  await em.nativeDelete(SaleOrderLineSchema, { saleOrderId: row.id });
  addLines(em, row.id, record);
  await em.flush();
  return { outcome: 'updated', syncState: 'pending' };
}
