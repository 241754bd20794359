import * as wf from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { ProcessResult } from '../activities/inbound-record';
import {
  dependencyReadySignal,
  inboundStateQuery,
  recordChangedSignal,
  retrySignal,
  SEARCH_ATTRIBUTES,
  type InboundCarriedWork,
  type InboundRecordInput,
  type InboundRecordStatus,
  type InboundTiming,
  type RecordRef,
} from './contract';

type Activities = ReturnType<typeof createActivities>;
const retryPolicy = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;

const { processInboundRecord, markRecordFailed, resolveFromLegacy } = wf.proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: retryPolicy,
});

/**
 * Processing is a few short queries, run as a local activity: no activity task round trip through the
 * server and three history events fewer per record. Histories recorded before this ran it as a regular one.
 */
const local = wf.proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: retryPolicy });
const LOCAL_PROCESSING_PATCH = 'process-inbound-record-locally';
const processRecord: Activities['processInboundRecord'] = (ref, options) =>
  wf.patched(LOCAL_PROCESSING_PATCH) ? local.processInboundRecord(ref, options) : processInboundRecord(ref, options);

/** Histories recorded before it checked for continue-as-new only after waiting for new work. */
const CONTINUE_AS_NEW_WHILE_WAITING_PATCH = 'inbound-continue-as-new-while-waiting';

/** Everything the workflow knows between activity runs; the only place its state changes. */
class InboundRecord {
  private pushed: boolean;
  private retryRequested: boolean;
  private readonly readyDependencies: Set<string>;
  status: InboundRecordStatus;
  private published = '';

  constructor(input: InboundRecordInput) {
    this.pushed = input.carried?.pushed ?? false;
    this.retryRequested = input.carried?.retryRequested ?? false;
    this.readyDependencies = new Set(input.carried?.readyDependencies ?? []);
    this.status = {
      state: 'starting',
      awaitingOn: [],
      legacyMisses: input.legacyMisses ?? 0,
      stale: input.stale ?? false,
      lastError: null,
    };
  }

  listen(): void {
    wf.setHandler(recordChangedSignal, () => void (this.pushed = true));
    wf.setHandler(retrySignal, () => void (this.retryRequested = true));
    wf.setHandler(dependencyReadySignal, (key) => void this.readyDependencies.add(key));
    wf.setHandler(inboundStateQuery, () => this.status);
  }

  get hasWork(): boolean {
    return this.pushed || this.retryRequested || this.readyDependencies.size > 0;
  }

  /** Consumes the pending work; returns whether an operator asked for a retry. */
  takeWork(): { retry: boolean } {
    const retry = this.retryRequested;
    this.pushed = false;
    this.retryRequested = false;
    this.readyDependencies.clear();
    return { retry };
  }

  /** The work not yet taken, plus a retry already taken but not yet run, for the next run. */
  carryOver(retry: boolean): InboundCarriedWork {
    return {
      pushed: this.pushed,
      retryRequested: retry || this.retryRequested,
      readyDependencies: [...this.readyDependencies],
    };
  }

  apply(result: ProcessResult): void {
    // Results recorded before dependencies were tracked carry no awaitingOn.
    const awaitingOn = result.awaitingOn ?? [];
    this.status = { ...this.status, state: result.state, awaitingOn, lastError: result.errorMessage };
    if (result.state !== 'stub') this.status.stale = false;
    this.publish();
  }

  nextLookupInMs(timing: InboundTiming): number {
    return Math.min(timing.gracePeriodMs * 2 ** this.status.legacyMisses, timing.maxLookupIntervalMs);
  }

  /** Counts a legacy lookup that found nothing; true once the configured number of lookups is used up. */
  countLegacyMiss(timing: InboundTiming): boolean {
    this.status.legacyMisses += 1;
    return this.status.legacyMisses >= timing.legacyLookupAttempts;
  }

  markStale(): void {
    this.status.stale = true;
    this.publish();
  }

  /** A failed record runs again with fresh lookups. */
  resetLegacyMisses(): void {
    this.status.legacyMisses = 0;
  }

  /** Keeps the search attributes current, writing them only when they change (each write is a history event). */
  private publish(): void {
    const { state, awaitingOn, stale } = this.status;
    const snapshot = JSON.stringify([state, awaitingOn, stale]);
    if (snapshot === this.published || state === 'starting') return;
    this.published = snapshot;
    wf.upsertSearchAttributes([
      { key: SEARCH_ATTRIBUTES.ProcessingState, value: state },
      // An empty list would not clear the attribute; null removes it.
      { key: SEARCH_ATTRIBUTES.AwaitingOn, value: awaitingOn.length ? awaitingOn : null },
      { key: SEARCH_ATTRIBUTES.IsStub, value: state === 'stub' },
      { key: SEARCH_ATTRIBUTES.StaleStub, value: stale },
    ]);
    wf.setCurrentDetails(describe(this.status));
  }
}

function describe(status: InboundRecordStatus): string {
  if (status.state === 'awaiting_dependency') {
    return `Waiting for ${status.awaitingOn.join(', ')} (legacy lookups without result: ${status.legacyMisses})`;
  }
  if (status.state === 'stub')
    return status.stale ? 'Stub, stale: Odoo never pushed the full record' : 'Stub from legacy data';
  if (status.state === 'failed') return `Failed: ${status.lastError ?? 'unknown error'} (send "retry" to run again)`;
  return `State: ${status.state}`;
}

/**
 * One inbound record. The record itself lives in the database; the workflow carries only its identity, so
 * history stays small and every run works on the latest stored version. Missing dependencies are waited
 * for (woken by a signal when they arrive), then looked up in the legacy database after the grace period
 * and again at growing intervals, until the configured number of lookups found nothing.
 */
export async function inboundRecordWorkflow(input: InboundRecordInput): Promise<InboundRecordStatus> {
  const record = new InboundRecord(input);
  record.listen();
  const ref: RecordRef = { entityType: input.entityType, externalId: input.externalId };

  let retry = record.takeWork().retry;
  for (;;) {
    const result = await processRecord(ref, { retry });
    record.apply(result);
    if (result.state === 'processed' && !record.hasWork) return record.status;

    if (result.state === 'awaiting_dependency') {
      const outcome = await awaitDependencies(ref, record, result.awaitingOn, input.timing);
      if (outcome === 'check_again') {
        retry = false;
        if (wf.workflowInfo().continueAsNewSuggested && wf.patched(CONTINUE_AS_NEW_WHILE_WAITING_PATCH)) {
          await continueAsNew(input, record, retry);
        }
        continue;
      }
    }
    if (record.status.state === 'stub') await watchForStaleness(record, input.timing);
    retry = await awaitWork(record);
    if (wf.workflowInfo().continueAsNewSuggested) await continueAsNew(input, record, retry);
  }
}

/**
 * Waits for a missing dependency to arrive or for the next legacy lookup. After the last lookup without
 * result the record is marked failed; anything else means: process it again.
 */
async function awaitDependencies(
  ref: RecordRef,
  record: InboundRecord,
  awaitingOn: string[],
  timing: InboundTiming,
): Promise<'check_again' | 'failed'> {
  const woken = await wf.condition(() => record.hasWork, record.nextLookupInMs(timing));
  const { retry } = record.takeWork();
  if (woken && !retry) return 'check_again';
  const lookup = await resolveFromLegacy(awaitingOn);
  if (lookup.unavailable || lookup.stubbed.length > 0 || retry) return 'check_again';
  if (!record.countLegacyMiss(timing)) return 'check_again';
  const message = `Missing after ${record.status.legacyMisses} legacy lookups: ${lookup.notFound.join(', ')}`;
  await markRecordFailed(ref, message);
  record.apply({ state: 'failed', errorMessage: message, awaitingOn });
  return 'failed';
}

/** A stub that Odoo never completes is flagged stale after `staleAfterMs`. */
async function watchForStaleness(record: InboundRecord, timing: InboundTiming): Promise<void> {
  if (record.status.stale) return;
  if (!(await wf.condition(() => record.hasWork, timing.staleAfterMs))) record.markStale();
}

/** Waits for a push, a dependency or a retry; returns whether the next processing is a retry. */
async function awaitWork(record: InboundRecord): Promise<boolean> {
  await wf.condition(() => record.hasWork);
  const failed = record.status.state === 'failed';
  const retry = record.takeWork().retry || failed;
  if (failed) record.resetLegacyMisses();
  return retry;
}

async function continueAsNew(input: InboundRecordInput, record: InboundRecord, retry: boolean): Promise<never> {
  return wf.continueAsNew<typeof inboundRecordWorkflow>({
    ...input,
    legacyMisses: record.status.legacyMisses,
    carried: record.carryOver(retry),
    stale: record.status.stale,
  });
}
