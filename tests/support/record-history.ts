import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import { ensureTemporalBinaries } from '../../runtime/temporal/binaries';

/** Replay fixtures: every `.json` file here is replayed by tests/integration/workflow-replay.test.ts. */
export const HISTORIES_DIR = path.join(__dirname, '../fixtures/histories');

/** Set RECORD_HISTORIES=1 to (re)write the fixtures from the runs a test just drove. */
export const recordingHistories = (): boolean => process.env.RECORD_HISTORIES === '1';

/** One run of a workflow id, as the server stored it. */
export interface WorkflowRun {
  runId: string;
  history: History;
  events: number;
  /** The run ended by continuing as new (its last event is WorkflowExecutionContinuedAsNew). */
  continuedAsNew: boolean;
  /** The run's input (the workflow's first argument), decoded. */
  input: unknown;
}

async function fetchRun(client: Client, workflowId: string, runId: string | undefined): Promise<WorkflowRun> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const events = history.events ?? [];
  const started = events[0]?.workflowExecutionStartedEventAttributes;
  if (!started)
    throw new Error(`${workflowId} ${runId ?? '(latest)'}: history does not start with WorkflowExecutionStarted`);
  const payload = started.input?.payloads?.[0];
  return {
    runId: runId ?? started.originalExecutionRunId ?? '',
    history,
    events: events.length,
    continuedAsNew: Boolean(events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes),
    input: payload ? defaultPayloadConverter.fromPayload(payload) : undefined,
  };
}

/**
 * Every run of the latest execution chain of `workflowId`, first to last: starts at the latest run's
 * first execution and follows each continue-as-new to the run it started. Reads histories only, so it
 * does not depend on the (eventually consistent) visibility store.
 */
export async function runsOf(client: Client, workflowId: string): Promise<WorkflowRun[]> {
  const latest = await fetchRun(client, workflowId, undefined);
  const started = latest.history.events![0]!.workflowExecutionStartedEventAttributes!;
  const runs: WorkflowRun[] = [];
  let runId: string | null | undefined = started.firstExecutionRunId;
  if (!runId) throw new Error(`${workflowId}: the latest run names no first execution`);
  for (;;) {
    const run = await fetchRun(client, workflowId, runId);
    runs.push(run);
    if (!run.continuedAsNew) return runs;
    runId = run.history.events!.at(-1)!.workflowExecutionContinuedAsNewEventAttributes!.newExecutionRunId;
    if (!runId) throw new Error(`${workflowId}: continued as new without naming the new run`);
  }
}

/**
 * With RECORD_HISTORIES=1, stores one run's history (the latest if no run id) as a replay fixture, in the
 * JSON form the Temporal CLI and the UI's download both write (and `historyFromJSON` reads). An existing
 * fixture is kept: it is what an earlier version of the code wrote, and replaying it is the point. Delete
 * the file to record it again. Returns whether it wrote the file.
 */
export function recordHistory(
  workflowId: string,
  file: string,
  options: { address: string; namespace?: string; runId?: string },
): boolean {
  const target = path.join(HISTORIES_DIR, file);
  if (!recordingHistories() || fs.existsSync(target)) return false;
  const json = execFileSync(ensureTemporalBinaries().cli, [
    'workflow',
    'show',
    '--workflow-id',
    workflowId,
    ...(options.runId ? ['--run-id', options.runId] : []),
    '--namespace',
    options.namespace ?? 'default',
    '--address',
    options.address,
    '--output',
    'json',
  ]);
  fs.writeFileSync(target, json);
  return true;
}

/**
 * With RECORD_HISTORIES=1, stores every run of a continue-as-new chain as `<baseName>-run-<n>.json`, unless
 * a recording under that base name exists already (delete its files to record it again).
 */
export function recordRuns(
  workflowId: string,
  runs: readonly WorkflowRun[],
  baseName: string,
  options: { address: string; namespace?: string },
): boolean {
  if (!recordingHistories()) return false;
  const prefix = `${baseName}-run-`;
  if (fs.readdirSync(HISTORIES_DIR).some((f) => f.startsWith(prefix) && f.endsWith('.json'))) return false;
  runs.forEach((run, i) => recordHistory(workflowId, `${prefix}${i + 1}.json`, { ...options, runId: run.runId }));
  return true;
}
