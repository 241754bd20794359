import type { FilterQuery, MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { ApplicationFailure, log } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { ProcessingState } from '../entities/processing-state';
import type { SyncFields } from '../entities/sync-fields';
import type { Metrics } from '../observability/metrics';
import { dependencyKey, findMissingDependencies, uniqueDependencies } from '../sync/inbound/dependency-check';
import { clearWaits, registerWaits, waitersOf } from '../sync/inbound/dependency-waits';
import { inboundSpecFor } from '../sync/inbound/specs';
import { outboundOrderOf } from '../sync/sync-back/odoo-changes';
import type { SyncBackStarter } from '../sync/sync-back/starter';
import { inboundWorkflowId, dependencyReadySignal, type RecordRef } from '../workflows/contract';

export interface ProcessResult {
  state: ProcessingState;
  errorMessage: string | null;
  /** Workflow ids of the dependencies still missing (state `awaiting_dependency`). */
  awaitingOn: string[];
}

export interface InboundRecordDeps {
  orm: MikroORM;
  metrics: Metrics;
  temporal: Client;
  /** Passes Odoo's new version of a webshop order on to its sync-back workflow. */
  syncBackStarter?: Pick<SyncBackStarter, 'start'>;
}

const WORKING_STATES: ProcessingState[] = ['pending', 'processing', 'awaiting_dependency'];

/** Signals every workflow waiting for `key`; a waiter that has finished meanwhile is no error. */
export async function wakeWaiters(em: EntityManager, temporal: Client, key: string): Promise<number> {
  const waiters = await waitersOf(em, key);
  await Promise.all(
    waiters.map(async (workflowId) => {
      try {
        await temporal.workflow.getHandle(workflowId).signal(dependencyReadySignal, key);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    }),
  );
  return waiters.length;
}

export function inboundRecordActivities({ orm, metrics, temporal, syncBackStarter }: InboundRecordDeps) {
  /**
   * An inbound sale order that is the Odoo side of a webshop order (Odoo pushed it, or a pull read it): the order's
   * sync-back workflow merges Odoo's new version (started again if its run has ended). Idempotent.
   */
  const passOnToWebshopOrder = async (em: EntityManager, ref: RecordRef, row: SyncFields) => {
    if (ref.entityType !== 'sale_order' || !syncBackStarter) return;
    const externalId = await outboundOrderOf(em, row);
    if (externalId === undefined) return;
    if (!(await syncBackStarter.start(externalId, { changed: true }))) {
      throw ApplicationFailure.retryable("Temporal unreachable: Odoo's change of a webshop order not passed on yet");
    }
  };

  const load = async (em: EntityManager, ref: RecordRef) => {
    const spec = inboundSpecFor(ref.entityType);
    const row = await em.findOne(spec.entity, {
      ...spec.rowScope,
      externalId: ref.externalId,
    } as FilterQuery<SyncFields>);
    if (!row) throw ApplicationFailure.nonRetryable(`No stored ${ref.entityType} ${ref.externalId}`, 'RecordNotFound');
    return { spec, row };
  };

  return {
    /**
     * Processes the stored version of a record: waits (registers) for missing dependencies, otherwise
     * marks it processed and wakes the records waiting for it. Every write is conditional on the version
     * read, so a push landing meanwhile is never marked processed unseen: its own signal runs this again.
     */
    async processInboundRecord(ref: RecordRef, options: { retry?: boolean } = {}): Promise<ProcessResult> {
      const em = orm.em.fork() as EntityManager;
      const { spec, row } = await load(em, ref);
      const workflowId = inboundWorkflowId(ref.entityType, ref.externalId);
      if (options.retry && row.processingState === 'failed') row.processingState = 'pending';
      if (!WORKING_STATES.includes(row.processingState)) {
        // A retry of an attempt that marked the record processed but died waking its waiters wakes them now.
        if (row.processingState === 'processed') {
          await wakeWaiters(em, temporal, workflowId);
          await passOnToWebshopOrder(em, ref, row);
        }
        return { state: row.processingState, errorMessage: row.errorMessage, awaitingOn: [] };
      }
      const version = row.updatedAt;
      const setIfUnchanged = (values: Partial<SyncFields>) =>
        em.nativeUpdate(spec.entity, { id: row.id, updatedAt: version } as FilterQuery<SyncFields>, values);

      const dependencies = uniqueDependencies(spec.dependenciesOf?.(row.data) ?? []);
      if (dependencies.length) {
        const keys = dependencies.map(dependencyKey);
        await registerWaits(em, workflowId, keys);
        const missing = (await findMissingDependencies(em, dependencies)).map(dependencyKey);
        if (missing.length) {
          await clearWaits(
            em,
            workflowId,
            keys.filter((k) => !missing.includes(k)),
          );
          if (row.processingState !== 'awaiting_dependency') {
            await setIfUnchanged({ processingState: 'awaiting_dependency', errorMessage: null, updatedAt: new Date() });
          }
          return { state: 'awaiting_dependency', errorMessage: null, awaitingOn: missing };
        }
        await clearWaits(em, workflowId);
      }

      const now = new Date();
      const updated = await setIfUnchanged({
        processingState: 'processed',
        errorMessage: null,
        changedAt: now,
        updatedAt: now,
        stubCreatedAt: null,
      });
      if (updated === 0) return { state: 'pending', errorMessage: null, awaitingOn: [] };
      if (row.stubCreatedAt) {
        const ageSeconds = (now.getTime() - row.stubCreatedAt.getTime()) / 1000;
        metrics.stubUpgradeAge.observe({ entity_type: ref.entityType }, ageSeconds);
        log.info('stub upgraded', {
          entityType: ref.entityType,
          externalId: ref.externalId,
          stubAgeSeconds: ageSeconds,
        });
      }
      await wakeWaiters(em, temporal, workflowId);
      await passOnToWebshopOrder(em, ref, row);
      return { state: 'processed', errorMessage: null, awaitingOn: [] };
    },

    /** Gives up on a record whose dependencies never arrived; its waits stay, so a late arrival still wakes it. */
    async markRecordFailed(ref: RecordRef, message: string): Promise<void> {
      const em = orm.em.fork() as EntityManager;
      const { spec, row } = await load(em, ref);
      await em.nativeUpdate(spec.entity, { id: row.id } as FilterQuery<SyncFields>, {
        processingState: 'failed',
        errorMessage: message,
        retryCount: row.retryCount + 1,
        updatedAt: new Date(),
      });
    },
  };
}
