import type { EntityManager } from '@mikro-orm/knex';
import type { Domain, OdooClient, OdooRecord } from '../../odoo/odoo-client';
import type { EntityType } from '../../entities/processing-state';
import { ENTITY_TYPES } from '../../entities/processing-state';
import type { PullCounts, PullCursor, PullEntityType, PullStreamPlan } from '../../workflows/contract';
import type { InboundDispatcher } from '../inbound/dispatcher';
import { importRecords, type AcceptedRecord } from '../inbound/importer';
import { recordSyncRunPage, type SyncRunFailure, type SyncRunMetrics } from '../runs/sync-run-store';
import { ExternalIdResolver, ODOO_MODELS, type ExternalIdFields } from './external-ids';
import { entityMappers, type MappedRecord } from './mappers';
import { many2oneId } from '../../odoo/odoo-values';
import { PULL_SPECS } from './pull-specs';
import { streamsOf } from './streams';
import { advanceWatermark } from './watermarks';

export interface PullPageDeps {
  em: () => EntityManager;
  odoo: OdooClient;
  dispatcher: Pick<InboundDispatcher, 'dispatch'>;
  externalIdFields: ExternalIdFields;
  metrics?: SyncRunMetrics;
}

export interface PullPageRequest {
  entityType: PullEntityType;
  runId: number;
  streamIndex: number;
  stream: PullStreamPlan;
  /** Pages the run has recorded before this one: a page retried after its bookkeeping is not counted twice. */
  expectedPages: number;
  pageSize: number;
}

export interface PullPageResult {
  /** Odoo rows of the stream read by this page. */
  rows: number;
  counts: PullCounts;
  /** Last position read; null when the page was empty. */
  last: PullCursor | null;
  /** The stream has nothing after this page. */
  done: boolean;
  /** False when the run's bookkeeping already held this page (a retry). */
  recorded: boolean;
}

const ARCHIVED_TOO = { active_test: false };
/** Failures kept per page in the run's record (each names the Odoo id and the problem). */
const MAX_FAILURES = 100;

/** Odoo's order is `(write_date, id)`: the rows after a position, including those sharing its second. */
export function pageDomain(stream: Pick<PullStreamPlan, 'since' | 'after'>): Domain {
  if (stream.after) {
    const { writeDate, id } = stream.after;
    return ['|', ['write_date', '>', writeDate], '&', ['write_date', '=', writeDate], ['id', '>', id]];
  }
  return stream.since ? [['write_date', '>=', stream.since]] : [];
}

function cursorOf(row: OdooRecord): PullCursor {
  if (typeof row.write_date !== 'string') throw new Error(`Odoo row ${row.id} has no write_date`);
  return { writeDate: row.write_date, id: row.id };
}

/**
 * One page of a pull: read the next rows of the stream from Odoo, map them to push records, import them with
 * the push's importer, hand the changed ones to their workflows, then store the watermark and the run's counts.
 * Each step is safe to repeat: a page read again after a crash finds its records unchanged.
 */
export async function pullPage(deps: PullPageDeps, request: PullPageRequest): Promise<PullPageResult> {
  const { entityType, pageSize } = request;
  const streamDef = streamsOf(entityType)[request.streamIndex];
  if (!streamDef || streamDef.key !== request.stream.key) {
    throw new Error(`No stream ${request.stream.key} for ${entityType}`);
  }
  const em = deps.em();
  const ids = new ExternalIdResolver(em, deps.odoo, deps.externalIdFields);
  const mapper = entityMappers(ids)[entityType];

  const rows = await deps.odoo.searchRead(
    streamDef.model,
    pageDomain(request.stream),
    streamDef.via ? [streamDef.via, 'write_date'] : [...new Set([...mapper.fields, 'write_date'])],
    { limit: pageSize, order: 'write_date asc, id asc', context: ARCHIVED_TOO },
  );
  const records = streamDef.via
    ? await recordsNamedBy(deps.odoo, rows, streamDef.via, entityType, mapper.fields)
    : rows;
  const mapped = await mapper.toRecords({ odoo: deps.odoo, ids }, records);
  const { counts, failures } = await importMapped(deps, em, entityType, mapped);

  const last = rows.length ? cursorOf(rows[rows.length - 1]!) : null;
  if (last) await advanceWatermark(em, streamDef.key, last);
  const recorded = await recordSyncRunPage(
    em,
    request.runId,
    {
      expectedPages: request.expectedPages,
      counts,
      failures: failures.slice(0, MAX_FAILURES),
      watermarkTo: last,
    },
    deps.metrics,
  );
  return { rows: rows.length, counts, last, done: rows.length < pageSize, recorded };
}

/** The entity's records that changed rows of a secondary stream point at, each once. */
async function recordsNamedBy(
  odoo: OdooClient,
  rows: OdooRecord[],
  via: string,
  entityType: PullEntityType,
  fields: string[],
): Promise<OdooRecord[]> {
  const targetIds = [...new Set(rows.map((row) => many2oneId(row[via])).filter((id): id is number => id !== null))];
  if (targetIds.length === 0) return [];
  return odoo.searchRead(ODOO_MODELS[entityType], [['id', 'in', targetIds]], [...new Set([...fields, 'write_date'])], {
    order: 'id asc',
    context: ARCHIVED_TOO,
  });
}

async function importMapped(
  deps: PullPageDeps,
  em: EntityManager,
  entityType: PullEntityType,
  mapped: MappedRecord[],
): Promise<{ counts: PullCounts; failures: SyncRunFailure[] }> {
  const spec = PULL_SPECS[entityType];
  const failures: SyncRunFailure[] = [];
  const accepted: AcceptedRecord<unknown>[] = [];
  mapped.forEach((item, index) => {
    if ('error' in item) {
      failures.push({ odoo_id: item.odooId, external_id: null, message: item.error });
      return;
    }
    const parsed = spec.schema.safeParse(item.record);
    if (parsed.success) accepted.push({ index, record: parsed.data, raw: item.record });
    else {
      const message = parsed.error.issues
        .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
        .join('; ');
      const externalId = item.record.external_id;
      failures.push({ odoo_id: item.odooId, external_id: typeof externalId === 'string' ? externalId : null, message });
    }
  });

  const { outcomes, extracted } = accepted.length
    ? await importRecords(em, spec, accepted, undefined, { keepStoredFields: true })
    : { outcomes: [], extracted: {} };
  const count = (status: string) => outcomes.filter((o) => o.status === status).length;
  const changed = [...new Set(outcomes.filter((o) => o.status !== 'unchanged').map((o) => o.externalId))];
  const handOffs: [EntityType, string[]][] = [
    [entityType, changed],
    ...ENTITY_TYPES.map((type): [EntityType, string[]] => [type, extracted[type] ?? []]),
  ];
  for (const [type, externalIds] of handOffs) {
    // A hand-off Temporal does not take now is left to the pending sweep, as for a push.
    if (externalIds.length) await deps.dispatcher.dispatch(type, externalIds);
  }
  return {
    counts: {
      read: mapped.length,
      created: count('created'),
      updated: count('updated'),
      unchanged: count('unchanged'),
      failed: failures.length,
    },
    failures,
  };
}
