import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import type { Config } from '../../config/config';
import type { Logger } from '../../observability/logger';
import {
  ODOO_PULL_WORKFLOW,
  PULL_ENTITY_TYPES,
  pullScheduleId,
  SEARCH_ATTRIBUTES,
  type OdooPullInput,
  type OdooPullWorkflow,
  type PullEntityType,
} from '../../workflows/contract';
import { PULL_ENTITY_LABELS, pullRunSummary } from './pull-starter';

/** Every note the service writes on a pull Schedule starts with this. */
export const PULL_SCHEDULE_NOTE_PREFIX = 'odoo-webshop-sync:';
/**
 * The note of a pause by the service (pulls off, or Odoo not configured) starts with this: such a Schedule is
 * resumed by the service once pulls are on again. A Schedule paused with any other note was paused by an operator
 * (Temporal UI, `temporal schedule toggle --pause`, whose reason becomes the note) and stays paused whatever the
 * service does; the service never writes over such a note.
 */
export const PULL_SCHEDULE_PAUSE_PREFIX = `${PULL_SCHEDULE_NOTE_PREFIX} paused:`;

/**
 * What a worker start did to the Schedule of one entity type:
 * - created: there was none, there is one now;
 * - updated: it differed from the configuration (interval, task queue, action), and now matches it;
 * - unchanged: it matched already;
 * - resumed: the service had paused it, pulls are on again (it may also have been updated);
 * - paused: pulls are off or Odoo is not configured, and the service paused it, saying why in its note;
 * - left_paused: pulls are off or Odoo is not configured, and it was paused already (by anyone);
 * - absent: pulls are off or Odoo is not configured, and there is no Schedule: none is created;
 * - failed: Temporal refused or did not answer; logged, the worker runs on.
 */
export type PullScheduleOutcome =
  'created' | 'updated' | 'unchanged' | 'resumed' | 'paused' | 'left_paused' | 'absent' | 'failed';

export interface PullScheduleResult {
  entityType: PullEntityType;
  scheduleId: string;
  outcome: PullScheduleOutcome;
  /** What differed, for `updated` (e.g. `interval 300000ms -> 60000ms`). */
  changes?: string[];
  error?: string;
}

export type PullScheduleConfig = Pick<Config, 'odoo' | 'pull'> & {
  temporal: Pick<Config['temporal'], 'pullTaskQueue'>;
};

const CALL_DEADLINE_MS = 10_000;

type PullScheduleOptions = ScheduleOptions<ScheduleOptionsStartWorkflowAction<OdooPullWorkflow>>;

/** Why Schedules must not run with this configuration; undefined when they should. */
export function pullSchedulesDisabledReason(config: PullScheduleConfig): string | undefined {
  if (!config.odoo)
    return 'ODOO_URL, ODOO_DB, ODOO_LOGIN and ODOO_API_KEY are not all set: nothing is pulled from Odoo';
  if (config.pull.intervalMs === null) return 'ODOO_PULL_INTERVAL is off';
  return undefined;
}

/** The Schedule of one entity type as the configuration wants it. */
export function desiredPullSchedule(
  entityType: PullEntityType,
  config: PullScheduleConfig & { pull: { intervalMs: number } },
): PullScheduleOptions {
  const input: OdooPullInput = { entityType, trigger: 'schedule' };
  const entityTypeAttribute = [{ key: SEARCH_ATTRIBUTES.EntityType, value: entityType }];
  return {
    scheduleId: pullScheduleId(entityType),
    spec: { intervals: [{ every: config.pull.intervalMs }] },
    action: {
      type: 'startWorkflow',
      workflowType: ODOO_PULL_WORKFLOW,
      // Temporal appends the scheduled time: `pull:product-2026-01-01T00:05:00Z`.
      workflowId: pullScheduleId(entityType),
      taskQueue: config.temporal.pullTaskQueue,
      args: [input],
      typedSearchAttributes: entityTypeAttribute,
      staticSummary: pullRunSummary({ entityType, how: 'scheduled' }),
      staticDetails:
        `Started by the Schedule \`${pullScheduleId(entityType)}\`, which odoo-webshop-sync creates and updates at ` +
        "worker start from `ODOO_PULL_INTERVAL`. Progress: the query `progress`, and this run's current details.",
    },
    // A pull still running when the next one is due (a long backfill, Odoo slow) is not doubled: that one is skipped.
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
    memo: { managedBy: 'odoo-webshop-sync', entityType },
    typedSearchAttributes: entityTypeAttribute,
    state: {
      note: `${PULL_SCHEDULE_NOTE_PREFIX} pulls ${PULL_ENTITY_LABELS[entityType]} from Odoo every ${formatMs(config.pull.intervalMs)} (ODOO_PULL_INTERVAL); pause it here to stop them`,
    },
  };
}

/** What differs between the Schedule Temporal has and the one the configuration wants; empty when nothing does. */
export function pullScheduleChanges(current: ScheduleDescription, desired: PullScheduleOptions): string[] {
  const changes: string[] = [];
  const want = desired.action;
  const have = current.action;
  const intervals = current.spec.intervals ?? [];
  const every = Number(desired.spec.intervals![0]!.every);
  // Temporal describes a zero offset as none.
  if (intervals.length !== 1 || intervals[0]!.every !== every || (intervals[0]!.offset ?? 0) !== 0) {
    changes.push(`interval ${intervals.map((i) => `${i.every}ms`).join(', ') || 'none'} -> ${every}ms`);
  }
  if ((current.spec.calendars ?? []).length > 0) changes.push('calendar specs -> none');
  if (have.taskQueue !== want.taskQueue) changes.push(`task queue ${have.taskQueue} -> ${want.taskQueue}`);
  if (have.workflowType !== want.workflowType)
    changes.push(`workflow type ${have.workflowType} -> ${want.workflowType}`);
  if (have.workflowId !== want.workflowId) changes.push(`workflow id ${have.workflowId} -> ${want.workflowId}`);
  if (JSON.stringify(have.args) !== JSON.stringify(want.args)) changes.push('workflow input');
  if (have.staticSummary !== want.staticSummary) changes.push('summary');
  if (current.policies.overlap !== desired.policies!.overlap) {
    changes.push(`overlap policy ${current.policies.overlap} -> ${desired.policies!.overlap}`);
  }
  return changes;
}

const pausedByService = (state: ScheduleDescription['state']) =>
  state.paused && (state.note ?? '').startsWith(PULL_SCHEDULE_PAUSE_PREFIX);

async function ensureOne(
  client: Client,
  entityType: PullEntityType,
  config: PullScheduleConfig,
  disabledReason: string | undefined,
): Promise<Omit<PullScheduleResult, 'entityType' | 'scheduleId'>> {
  const handle = client.schedule.getHandle(pullScheduleId(entityType));
  const describe = async () => {
    try {
      return await handle.describe();
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return undefined;
      throw err;
    }
  };
  let current = await describe();

  // Pulls off or Odoo not configured: no Schedule is created, and an existing one is paused rather than deleted.
  // Paused, it stays in the Temporal UI with the reason in its note (an operator looking for the pulls finds why
  // there are none), its recent runs stay listed, and an operator's own pause, with its note, survives: deleting
  // it would lose that pause when pulls come back on, recreating the Schedule running.
  if (disabledReason) {
    if (!current) return { outcome: 'absent' };
    const note = `${PULL_SCHEDULE_PAUSE_PREFIX} ${disabledReason}`;
    if (current.state.paused) {
      // Keep the operator's note; bring the service's own reason up to date.
      if (pausedByService(current.state) && current.state.note !== note) await handle.pause(note);
      return { outcome: 'left_paused' };
    }
    await handle.pause(note);
    return { outcome: 'paused' };
  }

  const desired = desiredPullSchedule(entityType, config as PullScheduleConfig & { pull: { intervalMs: number } });
  if (!current) {
    try {
      await client.schedule.create(desired);
      return { outcome: 'created' };
    } catch (err) {
      // Another worker starting at the same moment created it first: bring that one in line instead.
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      current = await describe();
      if (!current) throw err;
    }
  }

  const changes = pullScheduleChanges(current, desired);
  const resume = pausedByService(current.state);
  const resumeNote = `${PULL_SCHEDULE_NOTE_PREFIX} resumed: pulls are on again (every ${formatMs(config.pull.intervalMs!)})`;
  if (changes.length > 0) {
    const { scheduleId: _id, memo: _memo, state: _state, ...definition } = desired;
    // `update` replaces the whole Schedule, its state included: the state it reads just before is written back,
    // an operator's pause with its note unchanged. A pause of the service's own is lifted; a running Schedule's
    // note is brought up to date.
    await handle.update<OdooPullWorkflow>((previous) => ({
      ...definition,
      state: pausedByService(previous.state)
        ? { paused: false, note: resumeNote }
        : {
            paused: previous.state.paused,
            note: previous.state.paused ? previous.state.note : desired.state!.note,
            remainingActions: previous.state.remainingActions,
          },
    }));
    return { outcome: resume ? 'resumed' : 'updated', changes };
  }
  if (resume) {
    await handle.unpause(resumeNote);
    return { outcome: 'resumed' };
  }
  return { outcome: 'unchanged' };
}

/**
 * Brings the Temporal Schedules `pull:<entity_type>` in line with the configuration, at worker start: one per
 * entity type of PULL_ENTITY_TYPES, every `ODOO_PULL_INTERVAL`, overlap policy SKIP, starting `ODOO_PULL_WORKFLOW`
 * on the task queue. Creates the missing ones, updates those that differ, and leaves an operator's pause alone.
 * With `ODOO_PULL_INTERVAL=off` or without `ODOO_*`, creates none and pauses those that exist, saying why.
 * Never throws: a Schedule Temporal refuses is logged and reported `failed`, and the worker runs on.
 */
export async function ensurePullSchedules(
  client: Client,
  config: PullScheduleConfig,
  log: Logger,
): Promise<PullScheduleResult[]> {
  const disabledReason = pullSchedulesDisabledReason(config);
  const results = await Promise.all(
    PULL_ENTITY_TYPES.map(async (entityType): Promise<PullScheduleResult> => {
      const scheduleId = pullScheduleId(entityType);
      try {
        const result = await client.withDeadline(Date.now() + CALL_DEADLINE_MS, () =>
          ensureOne(client, entityType, config, disabledReason),
        );
        return { entityType, scheduleId, ...result };
      } catch (err) {
        log.error({ err, scheduleId }, 'pull Schedule could not be created or updated; pulls of it may not run');
        return { entityType, scheduleId, outcome: 'failed', error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
  const byOutcome = Object.fromEntries(results.map((r) => [r.scheduleId, r.outcome]));
  const changes = results.filter((r) => r.changes?.length).map((r) => `${r.scheduleId}: ${r.changes!.join(', ')}`);
  if (disabledReason) {
    log.info({ schedules: byOutcome }, `pull Schedules not running: ${disabledReason}`);
  } else {
    log.info(
      { schedules: byOutcome, intervalMs: config.pull.intervalMs, ...(changes.length ? { changes } : {}) },
      'pull Schedules in line with the configuration',
    );
  }
  return results;
}

function formatMs(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
