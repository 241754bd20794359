import * as wf from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { ProcessResult, RecordRef } from '../activities/inbound-record';
import type { ProcessingState } from '../entities/processing-state';
import { SEARCH_ATTRIBUTES } from '../worker/search-attributes';
import { dependencyReadySignal, recordChangedSignal, retrySignal } from './signals';

export { dependencyReadySignal, recordChangedSignal, retrySignal };
export const stateQuery = wf.defineQuery<InboundRecordStatus>('state');

/** How long to wait for dependencies; set from configuration by whoever starts the workflow. */
export interface InboundTiming {
  gracePeriodMs: number;
  /** Legacy lookups that find nothing before the record is marked failed. */
  legacyLookupAttempts: number;
  /** Cap of the growing interval between legacy lookups. */
  maxLookupIntervalMs: number;
  staleAfterMs: number;
}

export interface InboundRecordInput extends RecordRef {
  timing: InboundTiming;
  /** Carried over continue-as-new. */
  legacyMisses?: number;
}

export interface InboundRecordStatus {
  state: ProcessingState | 'starting';
  awaitingOn: string[];
  legacyMisses: number;
  stale: boolean;
  lastError: string | null;
}

type Activities = ReturnType<typeof createActivities>;
const retry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;

const { processInboundRecord, markRecordFailed, resolveFromLegacy } = wf.proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry,
});

/**
 * Processing is a few short queries, run as a local activity: no activity task round trip through the
 * server and three history events fewer per record. Histories recorded before this ran it as a regular one.
 */
const local = wf.proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds', retry });
const LOCAL_PROCESSING_PATCH = 'process-inbound-record-locally';
const processRecord: Activities['processInboundRecord'] = (ref, options) =>
  wf.patched(LOCAL_PROCESSING_PATCH) ? local.processInboundRecord(ref, options) : processInboundRecord(ref, options);

/** What the workflow knows between activity runs. */
class InboundRecordState {
  pushed = false;
  retryRequested = false;
  readyDependencies = new Set<string>();
  status: InboundRecordStatus;
  private published = '';

  constructor(input: InboundRecordInput) {
    this.status = {
      state: 'starting',
      awaitingOn: [],
      legacyMisses: input.legacyMisses ?? 0,
      stale: false,
      lastError: null,
    };
  }

  get hasWork(): boolean {
    return this.pushed || this.retryRequested || this.readyDependencies.size > 0;
  }

  /** Consumes the pending work; returns whether an operator asked for a retry. */
  take(): { retry: boolean } {
    const retry = this.retryRequested;
    this.pushed = false;
    this.retryRequested = false;
    this.readyDependencies.clear();
    return { retry };
  }

  apply(result: ProcessResult): void {
    // Results recorded before dependencies were tracked carry no awaitingOn.
    const awaitingOn = result.awaitingOn ?? [];
    this.status = { ...this.status, state: result.state, awaitingOn, lastError: result.errorMessage };
    if (result.state !== 'stub') this.status.stale = false;
  }

  /** Keeps the search attributes current, writing them only when they change (each write is a history event). */
  publish(): void {
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
  const state = new InboundRecordState(input);
  const ref: RecordRef = { entityType: input.entityType, externalId: input.externalId };
  const { timing } = input;
  wf.setHandler(recordChangedSignal, () => void (state.pushed = true));
  wf.setHandler(retrySignal, () => void (state.retryRequested = true));
  wf.setHandler(dependencyReadySignal, (key) => void state.readyDependencies.add(key));
  wf.setHandler(stateQuery, () => state.status);

  let retry = state.take().retry;
  for (;;) {
    const result = await processRecord(ref, { retry });
    retry = false;
    state.apply(result);
    state.publish();

    if (result.state === 'processed' && !state.hasWork) return state.status;
    if (result.state === 'awaiting_dependency') {
      const waitMs = Math.min(timing.gracePeriodMs * 2 ** state.status.legacyMisses, timing.maxLookupIntervalMs);
      const woken = await wf.condition(() => state.hasWork, waitMs);
      const work = state.take();
      if (woken && !work.retry) continue;
      const lookup = await resolveFromLegacy(result.awaitingOn);
      if (lookup.unavailable || lookup.stubbed.length > 0 || work.retry) continue;
      state.status.legacyMisses += 1;
      if (state.status.legacyMisses < timing.legacyLookupAttempts) continue;
      const message = `Missing after ${state.status.legacyMisses} legacy lookups: ${lookup.notFound.join(', ')}`;
      await markRecordFailed(ref, message);
      state.apply({ state: 'failed', errorMessage: message, awaitingOn: result.awaitingOn });
      state.publish();
    }
    if (state.status.state === 'stub') {
      if (!(await wf.condition(() => state.hasWork, timing.staleAfterMs))) {
        state.status.stale = true;
        state.publish();
      }
    }
    await wf.condition(() => state.hasWork);
    retry = state.take().retry || state.status.state === 'failed';
    if (state.status.state === 'failed') state.status.legacyMisses = 0;

    if (wf.workflowInfo().continueAsNewSuggested) {
      await wf.continueAsNew<typeof inboundRecordWorkflow>({ ...input, legacyMisses: state.status.legacyMisses });
    }
  }
}
