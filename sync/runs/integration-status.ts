import type { EntityManager } from '@mikro-orm/knex';
import { findPlainRows } from '../../db/plain-rows';
import { SyncRunSchema, type SyncRun, type SyncRunKind, type SyncRunStatus } from '../../entities/sync-run';
import { pullPositions } from './pull-lag';

/** How one entity type's integration stands: its last run, its last success, its pull and how far it lags. */
export interface IntegrationStatus {
  /** The latest run of any kind (pull, push, webshop). */
  last_run: {
    id: number;
    kind: SyncRunKind;
    status: SyncRunStatus;
    started_at: string;
    finished_at: string | null;
  } | null;
  /** When the latest successful run of any kind finished. */
  last_success_at: string | null;
  /** The status of the latest pull run; null before the first one. */
  status: SyncRunStatus | null;
  /** The pull's position in Odoo's `(write_date, id)` order. */
  watermark: { write_date: string; id: number } | null;
  /** Now minus the time up to which the pull has read everything (of every stream); null before it knows one. */
  lag_seconds: number | null;
}

/** The newest run of an entity type matching `where`: one read by an index ending in the id. */
async function newest<K extends keyof SyncRun & string>(
  em: EntityManager,
  entityType: string,
  where: Partial<Pick<SyncRun, 'kind' | 'status'>>,
  fields: readonly K[],
): Promise<Pick<SyncRun, K> | undefined> {
  const [row] = await findPlainRows(em, SyncRunSchema, {
    fields,
    where: { entityType, ...where },
    orderBy: { id: 'desc' },
    limit: 1,
  });
  return row;
}

/** Per entity type: three indexed single-row reads each, and one read of the watermarks. */
export async function integrationStatuses(
  em: EntityManager,
  entityTypes: readonly string[],
  now: Date,
): Promise<Record<string, IntegrationStatus>> {
  const positions = await pullPositions(em, now);
  const statuses = await Promise.all(
    entityTypes.map(async (entityType): Promise<[string, IntegrationStatus]> => {
      const [last, success, pull] = await Promise.all([
        newest(em, entityType, {}, ['id', 'kind', 'status', 'startedAt', 'finishedAt'] as const),
        newest(em, entityType, { status: 'success' }, ['finishedAt'] as const),
        newest(em, entityType, { kind: 'pull' }, ['status'] as const),
      ]);
      const position = positions.get(entityType);
      const watermark = position?.watermark;
      return [
        entityType,
        {
          last_run: last
            ? {
                id: last.id,
                kind: last.kind,
                status: last.status,
                started_at: last.startedAt.toISOString(),
                finished_at: last.finishedAt?.toISOString() ?? null,
              }
            : null,
          last_success_at: success?.finishedAt?.toISOString() ?? null,
          status: pull?.status ?? null,
          watermark: watermark ? { write_date: watermark.writeDate, id: watermark.odooId } : null,
          lag_seconds: position?.lagSeconds ?? null,
        },
      ];
    }),
  );
  return Object.fromEntries(statuses);
}
