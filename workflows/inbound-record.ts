import * as wf from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { EntityType, ProcessingState } from '../entities/processing-state';
import { SEARCH_ATTRIBUTES } from '../worker/search-attributes';

/** Odoo pushed a new version of the record (sent by the API with signal-with-start). */
export const recordChangedSignal = wf.defineSignal('recordChanged');
/** Operator: run the processing again now (after a failure, or to cut a wait short). */
export const retrySignal = wf.defineSignal('retry');
export const stateQuery = wf.defineQuery<InboundRecordStatus>('state');

export interface InboundRecordInput {
  entityType: EntityType;
  externalId: string;
}

export interface InboundRecordStatus {
  state: ProcessingState | 'starting';
  runs: number;
  lastError: string | null;
}

const { processInboundRecord } = wf.proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Holds what the workflow knows between activity runs. */
class InboundRecordState {
  pendingPush = false;
  retryRequested = false;
  status: InboundRecordStatus = { state: 'starting', runs: 0, lastError: null };

  takeWork(): boolean {
    const work = this.pendingPush || this.retryRequested;
    this.pendingPush = false;
    this.retryRequested = false;
    return work;
  }
}

/**
 * Processes one inbound record. The record itself lives in the database; the workflow carries only its
 * identity, so history stays small and every run works on the latest stored version.
 */
export async function inboundRecordWorkflow(input: InboundRecordInput): Promise<InboundRecordStatus> {
  const state = new InboundRecordState();
  wf.setHandler(recordChangedSignal, () => void (state.pendingPush = true));
  wf.setHandler(retrySignal, () => void (state.retryRequested = true));
  wf.setHandler(stateQuery, () => state.status);

  // The first run is unconditional: a workflow started by the pending-record sweep carries no signal.
  state.takeWork();
  do {
    const result = await processInboundRecord(input);
    state.status = { state: result.state, runs: state.status.runs + 1, lastError: result.errorMessage };
    wf.upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.ProcessingState, value: result.state }]);
    if (result.state === 'failed') {
      await wf.condition(() => state.pendingPush || state.retryRequested);
    }
    if (wf.workflowInfo().continueAsNewSuggested) {
      await wf.continueAsNew<typeof inboundRecordWorkflow>(input);
    }
  } while (state.takeWork());
  return state.status;
}
