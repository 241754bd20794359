import {
  DeadlockException,
  LockMode,
  LockWaitTimeoutException,
  UniqueConstraintViolationException,
  type FilterQuery,
  type RequiredEntityData,
} from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { supportsRowLocks } from '../../db/dialect';
import { findPlainRows } from '../../db/plain-rows';
import { inTransaction } from '../../db/transaction';
import type { SyncFields } from '../../entities/sync-fields';
import { changedFields } from '../shared/change-detection';
import { COMPARED_FIELDS, type ComparedRow, type ExtractedChanges, type InboundSpec, type StoredRecord } from './spec';
import { changedSyncFields, newSyncFields } from '../shared/sync-row-fields';
import { isOutOfDate } from '../shared/write-date';

export type ImportStatus = 'created' | 'updated' | 'unchanged';

export interface AcceptedRecord<R> {
  index: number;
  record: R;
  raw: Record<string, unknown>;
}

export interface ImportOutcome {
  index: number;
  externalId: string;
  status: ImportStatus;
  id: number;
  /** The record was a stub and this push is its full version. */
  upgradedStub: boolean;
}

const MAX_ATTEMPTS = 5;

/**
 * Concurrent pushes of the same new record collide on the unique key, or (MySQL's gap locks taken by the
 * locking read of a missing row) deadlock; either way the retry sees the other push's row and applies on top.
 */
function isRetryableConflict(err: unknown): boolean {
  return (
    err instanceof UniqueConstraintViolationException ||
    err instanceof DeadlockException ||
    err instanceof LockWaitTimeoutException
  );
}

/**
 * Stores a batch of validated records in one transaction: new ones inserted, changed ones updated with
 * their changed field paths and set `pending`, unchanged or out-of-date ones left untouched (no write).
 * A concurrent push that inserts the same new record first makes this transaction retry against it.
 */
export interface ImportResult {
  outcomes: ImportOutcome[];
  /** Sub-records of other entity types the push stored or changed. */
  extracted: ExtractedChanges;
}

export interface ImportOptions {
  /**
   * Top-level fields of the stored record that the incoming one does not carry are kept (a pull maps only the
   * fields it knows: what a push sent beyond them is not taken away by the next pull). A push replaces the record.
   */
  keepStoredFields?: boolean;
}

export async function importRecords<R, E extends SyncFields>(
  em: EntityManager,
  spec: InboundSpec<R, E>,
  accepted: readonly AcceptedRecord<R>[],
  now: () => Date = () => new Date(),
  options: ImportOptions = {},
): Promise<ImportResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await inTransaction(em, (tx) => importInTransaction(tx, spec, accepted, now(), options));
    } catch (err) {
      if (!isRetryableConflict(err) || attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}

async function importInTransaction<R, E extends SyncFields>(
  em: EntityManager,
  spec: InboundSpec<R, E>,
  accepted: readonly AcceptedRecord<R>[],
  now: Date,
  options: ImportOptions,
): Promise<ImportResult> {
  const latest = lastPushPerExternalId(spec, accepted);
  const lockMode = supportsRowLocks(em) ? LockMode.PESSIMISTIC_WRITE : undefined;
  // Compared as plain rows: an unchanged batch (the common re-push) then costs no entity hydration and no
  // change-set computation at flush. Only the rows a push really changes are loaded as entities.
  const existingRows = await findPlainRows(em, spec.entity, {
    fields: COMPARED_FIELDS,
    where: { ...spec.rowScope, externalId: { $in: [...latest.keys()] } } as unknown as FilterQuery<E>,
    lockMode,
  });
  const compared = new Map(existingRows.map((row) => [row.externalId, row]));
  if (options.keepStoredFields) keepStoredFields(latest, compared);
  const changes = new Map<string, string[]>();
  for (const [externalId, item] of latest) {
    const row = compared.get(externalId);
    const fields = row ? changedFieldsOf(spec, row, item) : null;
    if (fields) changes.set(externalId, fields);
  }
  const changedIds = [...changes.keys()].map((externalId) => compared.get(externalId)!.id);
  const entities = changedIds.length
    ? await em.find(spec.entity, { id: { $in: changedIds } } as unknown as FilterQuery<E>)
    : [];
  const loaded = new Map(entities.map((row) => [row.externalId, row]));

  const results = new Map<string, { status: ImportStatus; row: { id: number }; upgradedStub: boolean }>();
  const stored: StoredRecord<R, E>[] = [];
  for (const [externalId, item] of latest) {
    const row = compared.get(externalId);
    const fields = changes.get(externalId);
    const { record, raw } = item;
    if (!row) {
      const created = em.create(spec.entity, newRow(spec, item, now) as unknown as RequiredEntityData<E>, {
        persist: true,
      });
      stored.push({ record, raw, row: created, changed: true });
      results.set(externalId, { status: 'created', row: created, upgradedStub: false });
    } else if (fields) {
      const entity = loaded.get(externalId)!;
      applyPush(spec, entity, item, fields, now);
      stored.push({ record, raw, row: entity, changed: true });
      results.set(externalId, { status: 'updated', row, upgradedStub: row.processingState === 'stub' });
    } else {
      stored.push({ record, raw, row, changed: false });
      results.set(externalId, { status: 'unchanged', row, upgradedStub: false });
    }
  }
  await em.flush();
  const extracted = spec.extract ? await spec.extract(em, stored, now) : {};
  await em.flush();

  const outcomes = accepted.map((item) => {
    const externalId = spec.externalIdOf(item.record);
    const result = results.get(externalId)!;
    // An earlier copy of a record repeated in the same batch: the later copy is the one applied.
    const applied = latest.get(externalId) === item;
    return {
      index: item.index,
      externalId,
      status: applied ? result.status : ('unchanged' as const),
      id: result.row.id,
      upgradedStub: applied && result.upgradedStub,
    };
  });
  return { outcomes, extracted };
}

/**
 * Completes each incoming record with the stored top-level fields it does not carry (not a stub's: all legacy).
 * In place: the batch's outcomes are matched to its records by identity.
 */
function keepStoredFields<R, E extends SyncFields>(
  latest: Map<string, AcceptedRecord<R>>,
  compared: Map<string, ComparedRow<E>>,
): void {
  for (const [externalId, item] of latest) {
    const row = compared.get(externalId);
    if (!row || row.processingState === 'stub' || !row.data) continue;
    item.raw = { ...row.data, ...item.raw };
  }
}

function lastPushPerExternalId<R, E extends SyncFields>(
  spec: InboundSpec<R, E>,
  accepted: readonly AcceptedRecord<R>[],
) {
  const latest = new Map<string, AcceptedRecord<R>>();
  for (const item of accepted) latest.set(spec.externalIdOf(item.record), item);
  return latest;
}

function newRow<R, E extends SyncFields>(spec: InboundSpec<R, E>, item: AcceptedRecord<R>, now: Date): Partial<E> {
  const fields = changedFields(null, item.raw, { ignore: spec.diffIgnore });
  return {
    ...spec.columnsOf(item.record),
    ...newSyncFields(
      {
        externalId: spec.externalIdOf(item.record),
        odooId: (item.record as { odoo_id?: number | null }).odoo_id ?? null,
        data: item.raw,
        changedFields: fields,
        processingState: 'pending',
        sourceWriteDate: spec.writeDateOf(item.record),
      },
      now,
    ),
  } as Partial<E>;
}

/** The field paths a push changes on a stored row, or null when it changes nothing (or is out of date). */
function changedFieldsOf<R, E extends SyncFields>(
  spec: InboundSpec<R, E>,
  row: ComparedRow<E>,
  item: AcceptedRecord<R>,
): string[] | null {
  if (isOutOfDate(spec.writeDateOf(item.record), row.sourceWriteDate)) return null;
  // A stub holds only what the legacy store knew, so the full record is new information in every field.
  const base = row.processingState === 'stub' ? null : row.data;
  const fields = changedFields(base, item.raw, { ignore: spec.diffIgnore });
  return fields.length > 0 ? fields : null;
}

/** Applies a changing push to a row loaded as an entity (written at the flush). */
function applyPush<R, E extends SyncFields>(
  spec: InboundSpec<R, E>,
  row: E,
  item: AcceptedRecord<R>,
  fields: string[],
  now: Date,
): void {
  Object.assign(
    row,
    spec.columnsOf(item.record),
    changedSyncFields(
      row,
      {
        data: item.raw,
        changedFields: fields,
        odooId: (item.record as { odoo_id?: number | null }).odoo_id ?? null,
        sourceWriteDate: spec.writeDateOf(item.record),
      },
      now,
    ),
  );
}
