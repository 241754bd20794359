import type { Client } from '@temporalio/client';
import type { Logger } from '../../observability/logger';
import {
  cancelOrderSignal,
  recordChangedSignal,
  SALE_ORDER_SYNC_WORKFLOW,
  SEARCH_ATTRIBUTES,
  syncBackWorkflowId,
  type SaleOrderSyncWorkflow,
  type SyncBackTiming,
} from '../../workflows/contract';

const CALL_DEADLINE_MS = 5_000;

/**
 * Starts the sync-back workflow of a stored webshop order. A changed order signal-with-starts it, so a
 * running workflow (waiting for dependencies, or failed) looks at the new version; otherwise an existing
 * workflow is kept as it is. If Temporal cannot be reached the order stays `pending` for the sweep.
 */
export class SyncBackStarter {
  constructor(
    private readonly client: Client,
    private readonly options: { taskQueue: string; timing: SyncBackTiming },
    private readonly log: Logger,
  ) {}

  /** Returns false when Temporal could not be reached. */
  async start(externalId: string, { changed }: { changed: boolean }): Promise<boolean> {
    return this.send(externalId, changed ? 'changed' : 'start');
  }

  /**
   * Tells the order's workflow that the webshop cancelled it, starting a new run if the last one has ended
   * (an order already synced or confirmed). Returns false when Temporal could not be reached.
   */
  async cancel(externalId: string): Promise<boolean> {
    return this.send(externalId, 'cancel');
  }

  private async send(externalId: string, what: 'start' | 'changed' | 'cancel'): Promise<boolean> {
    const workflowId = syncBackWorkflowId(externalId);
    const options = {
      workflowId,
      taskQueue: this.options.taskQueue,
      args: [{ externalId, timing: this.options.timing }] as Parameters<SaleOrderSyncWorkflow>,
      staticSummary: `Webshop order ${externalId} into Odoo`,
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTES.EntityType, value: 'sale_order' },
        { key: SEARCH_ATTRIBUTES.ExternalId, value: externalId },
        { key: SEARCH_ATTRIBUTES.SyncState, value: 'pending' },
      ],
    };
    try {
      await this.client.withDeadline(Date.now() + CALL_DEADLINE_MS, async () => {
        if (what !== 'start') {
          await this.client.workflow.signalWithStart<SaleOrderSyncWorkflow, []>(SALE_ORDER_SYNC_WORKFLOW, {
            ...options,
            signal: what === 'cancel' ? cancelOrderSignal : recordChangedSignal,
            signalArgs: [],
          });
        } else {
          await this.client.workflow.start<SaleOrderSyncWorkflow>(SALE_ORDER_SYNC_WORKFLOW, {
            ...options,
            workflowIdConflictPolicy: 'USE_EXISTING',
          });
        }
      });
      return true;
    } catch (err) {
      this.log.warn(
        { err, workflowId },
        what === 'cancel'
          ? 'Temporal unreachable; the cancel of the webshop order was not passed on'
          : 'Temporal unreachable; the webshop order stays pending for the sweep',
      );
      return false;
    }
  }
}
