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
import type { SyncFields } from '../../entities/sync-fields';
import { changedFields } from '../shared/change-detection';
import type { ExtractedChanges, InboundSpec, StoredRecord } from './spec';
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

export async function importRecords<R, E extends SyncFields>(
  em: EntityManager,
  spec: InboundSpec<R, E>,
  accepted: readonly AcceptedRecord<R>[],
  now: () => Date = () => new Date(),
): Promise<ImportResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await em.fork().transactional((tx) => importInTransaction(tx, spec, accepted, now()));
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
): Promise<ImportResult> {
  const latest = lastPushPerExternalId(spec, accepted);
  const lockMode = supportsRowLocks(em) ? LockMode.PESSIMISTIC_WRITE : undefined;
  const existingRows = await em.find(
    spec.entity,
    { ...spec.rowScope, externalId: { $in: [...latest.keys()] } } as unknown as FilterQuery<E>,
    { lockMode },
  );
  const existing = new Map(existingRows.map((row) => [row.externalId, row]));

  const results = new Map<string, { status: ImportStatus; row: E; upgradedStub: boolean }>();
  const stored: StoredRecord<R, E>[] = [];
  for (const [externalId, item] of latest) {
    let row: E | undefined = existing.get(externalId);
    let status: ImportStatus;
    let upgradedStub = false;
    if (!row) {
      row = em.create(spec.entity, newRow(spec, item, now) as unknown as RequiredEntityData<E>, { persist: true }) as E;
      status = 'created';
    } else {
      const wasStub = row.processingState === 'stub';
      status = applyPush(spec, row, item, now) ? 'updated' : 'unchanged';
      upgradedStub = wasStub && status === 'updated';
    }
    results.set(externalId, { status, row, upgradedStub });
    stored.push({ record: item.record, raw: item.raw, row, changed: status !== 'unchanged' });
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

/** Applies a push to an existing row; returns false (and writes nothing) when nothing changed. */
function applyPush<R, E extends SyncFields>(
  spec: InboundSpec<R, E>,
  row: E,
  item: AcceptedRecord<R>,
  now: Date,
): boolean {
  const writeDate = spec.writeDateOf(item.record);
  if (isOutOfDate(writeDate, row.sourceWriteDate)) return false;
  const isStub = row.processingState === 'stub';
  // A stub holds only what the legacy store knew, so the full record is new information in every field.
  const fields = isStub
    ? changedFields(null, item.raw, { ignore: spec.diffIgnore })
    : changedFields(row.data, item.raw, { ignore: spec.diffIgnore });
  if (fields.length === 0) return false;
  Object.assign(
    row,
    spec.columnsOf(item.record),
    changedSyncFields(
      row,
      {
        data: item.raw,
        changedFields: fields,
        odooId: (item.record as { odoo_id?: number | null }).odoo_id ?? null,
        sourceWriteDate: writeDate,
      },
      now,
    ),
  );
  return true;
}
