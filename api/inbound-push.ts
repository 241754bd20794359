import { z } from 'zod';
import { primaryEm } from '../db/primary-orm';
import { ENTITY_TYPES, type EntityType } from '../entities/processing-state';
import type { SyncFields } from '../entities/sync-fields';
import { importRecords, type AcceptedRecord } from '../sync/inbound/importer';
import type { InboundSpec } from '../sync/inbound/spec';
import { recordRequestRunQuietly, requestFailure, requestRunStatus, runErrorText } from '../sync/runs/request-runs';
import { MAX_RUN_FAILURES, type SyncRunFailure } from '../sync/runs/sync-run-store';
import type { ApiDeps } from './http/context';
import { ApiError, databaseUnavailableReason, zodDetails, type ErrorDetail } from './http/errors';
import type { RouteDef } from './http/route-table';

export const MAX_BATCH = 1000;
/** How long a push waits for its records' workflows to start before answering; the rest start after. */
const HAND_OFF_BUDGET_MS = 2_000;

const countSchema = z.number().int().min(0);

export const pushResultSchema = z.object({
  success: z.boolean(),
  processed: countSchema.describe('Accepted records: created + updated + unchanged'),
  created: countSchema,
  updated: countSchema,
  unchanged: countSchema,
  errors: z.array(
    z.object({
      index: countSchema.describe('Position of the invalid record in the batch'),
      external_id: z.string().nullable(),
      message: z.string(),
      details: z.array(z.object({ path: z.string().optional(), message: z.string() })),
    }),
  ),
});
export type PushResult = z.infer<typeof pushResultSchema>;

type RawRecord = Record<string, unknown>;

function isRawRecord(value: unknown): value is RawRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Splits a push into its records: the single-record form, or `{"<batchKey>": [...]}`. */
function recordsOf(body: unknown, batchKey: string): { records: unknown[]; batch: boolean } {
  if (!isRawRecord(body)) {
    throw new ApiError(400, 'validation_failed', 'The request is not valid', [
      { path: '', message: `expected a record object or {"${batchKey}": [...]}` },
    ]);
  }
  if (!(batchKey in body)) return { records: [body], batch: false };
  const list = body[batchKey];
  if (!Array.isArray(list)) {
    throw new ApiError(400, 'validation_failed', 'The request is not valid', [
      { path: batchKey, message: 'expected an array' },
    ]);
  }
  if (list.length > MAX_BATCH) {
    throw new ApiError(400, 'validation_failed', 'The request is not valid', [
      { path: batchKey, message: `at most ${MAX_BATCH} records per batch (got ${list.length})` },
    ]);
  }
  return { records: list, batch: true };
}

function describe(details: ErrorDetail[]): string {
  return details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ');
}

/** What a push request had read when it ended, for its sync run. */
interface PushTally {
  read: number;
  failures: SyncRunFailure[];
}

/**
 * Validates, stores and hands off one push of `spec`'s entity type, and records it as a `push` run: success,
 * partial (some records invalid) or failed (every record invalid, a 400 for a single invalid record or a body of
 * the wrong shape, or the import threw). No run is recorded while the database is unavailable.
 */
export async function handlePush<R, E extends SyncFields>(
  deps: ApiDeps,
  spec: InboundSpec<R, E>,
  body: unknown,
): Promise<PushResult> {
  const startedAt = new Date();
  const tally: PushTally = { read: 0, failures: [] };
  const run = { kind: 'push', entityType: spec.entityType, trigger: 'odoo', startedAt } as const;
  let result: PushResult;
  try {
    result = await storePush(deps, spec, body, tally);
  } catch (err) {
    if (databaseUnavailableReason(err) === undefined) {
      const error = err instanceof ApiError ? describeApiError(err) : `import failed: ${runErrorText(err)}`;
      const counts = { read: tally.read, created: 0, updated: 0, unchanged: 0, failed: tally.read };
      await recordRequestRunQuietly(deps, { ...run, counts, status: 'failed', error, failures: tally.failures });
    }
    throw err;
  }
  const counts = { ...pick(result), read: tally.read, failed: result.errors.length };
  await recordRequestRunQuietly(deps, { ...run, counts, status: requestRunStatus(counts), failures: tally.failures });
  return result;
}

const pick = ({ created, updated, unchanged }: PushResult) => ({ created, updated, unchanged });

function describeApiError(err: ApiError): string {
  return err.details.length ? `${err.message}: ${describe(err.details)}` : err.message;
}

async function storePush<R, E extends SyncFields>(
  deps: ApiDeps,
  spec: InboundSpec<R, E>,
  body: unknown,
  tally: PushTally,
): Promise<PushResult> {
  const { records, batch } = recordsOf(body, spec.batchKey);
  tally.read = records.length;
  const accepted: AcceptedRecord<R>[] = [];
  const errors: PushResult['errors'] = [];
  records.forEach((raw, index) => {
    const parsed = spec.schema.safeParse(raw);
    if (parsed.success) {
      // Record schemas are object schemas: whatever they accept is an object.
      if (!isRawRecord(raw)) throw new Error(`The ${spec.entityType} schema accepted a non-object`);
      accepted.push({ index, record: parsed.data, raw });
      return;
    }
    const details = zodDetails(parsed.error.issues, batch ? [spec.batchKey, index] : []);
    const externalId = isRawRecord(raw) ? raw.external_id : undefined;
    const message = describe(details);
    errors.push({ index, external_id: typeof externalId === 'string' ? externalId : null, message, details });
    if (tally.failures.length < MAX_RUN_FAILURES) tally.failures.push(requestFailure(raw, message));
  });
  if (!batch && errors.length > 0) {
    throw new ApiError(400, 'validation_failed', 'The record is not valid', errors[0]!.details);
  }

  const { outcomes, extracted } = accepted.length
    ? await importRecords(primaryEm(deps.orm), spec, accepted)
    : { outcomes: [], extracted: {} };
  const count = (status: string) => outcomes.filter((o) => o.status === status).length;
  const changed = [...new Set(outcomes.filter((o) => o.status !== 'unchanged').map((o) => o.externalId))];
  const handOffs: [EntityType, string[]][] = [
    [spec.entityType, changed],
    ...ENTITY_TYPES.map((type): [EntityType, string[]] => [type, extracted[type] ?? []]),
  ];
  for (const [entityType, externalIds] of handOffs) {
    if (externalIds.length) await deps.dispatcher.dispatchWithin(entityType, externalIds, HAND_OFF_BUDGET_MS);
  }

  const result: PushResult = {
    success: errors.length === 0,
    processed: outcomes.length,
    created: count('created'),
    updated: count('updated'),
    unchanged: count('unchanged'),
    errors,
  };
  for (const outcome of ['created', 'updated', 'unchanged'] as const) {
    if (result[outcome]) deps.metrics.inboundRecords.inc({ entity_type: spec.entityType, outcome }, result[outcome]);
  }
  if (errors.length)
    deps.metrics.inboundRecords.inc({ entity_type: spec.entityType, outcome: 'invalid' }, errors.length);
  return result;
}

/** The `POST` route through which Odoo pushes one entity type. */
export function inboundPushRoute<R, E extends SyncFields>(
  deps: ApiDeps,
  spec: InboundSpec<R, E>,
  options: { path: string; tag: string; example: Record<string, unknown> },
): RouteDef {
  // Routes of every entity type share one handler, which sees records only through the spec.
  return {
    method: 'post',
    path: options.path,
    scope: 'odoo',
    operationId: `push_${spec.batchKey}`,
    summary: `Push one ${spec.entityType} or a batch {"${spec.batchKey}": [...]} of up to ${MAX_BATCH}`,
    tag: options.tag,
    requestBody: z.union([spec.schema, z.object({ [spec.batchKey]: z.array(spec.schema).max(MAX_BATCH) })]),
    requestExamples: {
      record: { summary: `One ${spec.entityType}`, value: options.example },
      batch: { summary: `A batch of ${spec.entityType} records`, value: { [spec.batchKey]: [options.example] } },
    },
    responses: {
      200: {
        description: 'Every accepted record is durably stored; invalid ones are listed in errors',
        schema: pushResultSchema,
      },
      400: {
        description: `An invalid single record, a body that is neither a record nor {"${spec.batchKey}": [...]}, or a batch of more than ${MAX_BATCH} (validation_failed)`,
      },
    },
    handler: async (ctx) => {
      ctx.body = await handlePush(deps, spec, ctx.request.body);
    },
  };
}
