import type { Client } from '@temporalio/client';
import type { EntityType } from '../../entities/processing-state';
import type { Logger } from '../../observability/logger';
import type { Metrics } from '../../observability/metrics';
import type { RecordHandOff } from './hand-off-marks';
import {
  INBOUND_RECORD_WORKFLOW,
  inboundWorkflowId,
  recordChangedSignal,
  SEARCH_ATTRIBUTES,
  type InboundRecordWorkflow,
  type InboundTiming,
} from '../../workflows/contract';

const PARALLEL_CALLS = 32;
const CALL_DEADLINE_MS = 5_000;

/**
 * Hands stored records to their workflows with signal-with-start: a running workflow gets a signal, a
 * finished or missing one is started. A record whose hand-off fails stays `pending` in the database and
 * the pending-record sweep hands it off again later, so a push is never lost between store and start.
 */
export class InboundDispatcher {
  constructor(
    private readonly client: Client,
    private readonly options: { taskQueue: string; timing: InboundTiming },
    private readonly metrics: Metrics,
    private readonly log: Logger,
    /** Notes each successful hand-off on its row, so the pending sweep skips what Temporal already holds. */
    private readonly recordHandOff?: RecordHandOff,
  ) {}

  private readonly inFlight = new Set<Promise<unknown>>();

  /**
   * Hands off within `budgetMs`, then lets the rest go on in the background, so a large batch is answered
   * in time. The records are already stored; a crash before their hand-off leaves them to the sweep.
   */
  async dispatchWithin(entityType: EntityType, externalIds: readonly string[], budgetMs: number): Promise<void> {
    const work = this.dispatch(entityType, externalIds).catch((err: unknown) => {
      this.log.error({ err, entityType }, 'hand-off failed; the sweep will retry');
    });
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, budgetMs)))]);
    clearTimeout(timer);
  }

  /** Waits for background hand-offs (at shutdown). */
  async drain(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  async dispatch(
    entityType: EntityType,
    externalIds: readonly string[],
  ): Promise<{ started: number; deferred: number }> {
    let deferred = 0;
    let unavailable = false;
    const handedOff: string[] = [];
    // Taken before the calls: a version stored after it is not covered by this hand-off.
    const at = new Date();
    const queue = [...externalIds];
    const run = async () => {
      for (let externalId = queue.shift(); externalId !== undefined; externalId = queue.shift()) {
        if (unavailable) {
          deferred++;
          continue;
        }
        try {
          await this.signalWithStart(entityType, externalId);
          handedOff.push(externalId);
        } catch (err) {
          deferred++;
          unavailable = true;
          this.log.warn({ err, entityType, externalId }, 'Temporal unreachable; record stays pending for the sweep');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_CALLS, queue.length) }, run));
    const started = handedOff.length;
    if (started && this.recordHandOff) {
      // Without the note the sweep merely hands the record off once more.
      await this.recordHandOff(entityType, handedOff, at).catch((err: unknown) =>
        this.log.warn({ err, entityType }, 'could not note the hand-off; the sweep may repeat it'),
      );
    }
    this.metrics.workflowStarts.inc({ entity_type: entityType, result: 'ok' }, started);
    if (deferred) this.metrics.workflowStarts.inc({ entity_type: entityType, result: 'deferred' }, deferred);
    return { started, deferred };
  }

  private async signalWithStart(entityType: EntityType, externalId: string): Promise<void> {
    await this.client.withDeadline(Date.now() + CALL_DEADLINE_MS, () =>
      this.client.workflow.signalWithStart<InboundRecordWorkflow, []>(INBOUND_RECORD_WORKFLOW, {
        workflowId: inboundWorkflowId(entityType, externalId),
        taskQueue: this.options.taskQueue,
        args: [{ entityType, externalId, timing: this.options.timing }],
        signal: recordChangedSignal,
        signalArgs: [],
        staticSummary: `Inbound ${entityType} ${externalId}`,
        typedSearchAttributes: [
          { key: SEARCH_ATTRIBUTES.EntityType, value: entityType },
          { key: SEARCH_ATTRIBUTES.ExternalId, value: externalId },
          { key: SEARCH_ATTRIBUTES.ProcessingState, value: 'pending' },
        ],
      }),
    );
  }
}
