import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Metrics } from '../observability/metrics';
import { OdooError } from '../odoo/odoo-errors';
import type { OdooClient } from '../odoo/odoo-client';
import type { InboundDispatcher } from '../sync/inbound/dispatcher';
import type { ExternalIdFields } from '../sync/pull/external-ids';
import { pullPage, type PullPageRequest, type PullPageResult } from '../sync/pull/pull-page';
import { beginRun, countRun, endRun, planRun, type BeginRequest } from '../sync/pull/pull-run';
import type { SyncRunStatus } from '../sync/runs/sync-run-store';
import { PULL_FAILURE_TYPES, type PullEntityType, type PullPlan } from '../workflows/contract';
import { withHeartbeats } from './heartbeat';

export interface OdooPullDeps {
  orm: MikroORM;
  metrics: Metrics;
  dispatcher: InboundDispatcher;
  /** The worker's Odoo client as pulls see it (their own concurrency limit); undefined while Odoo is not configured. */
  pullOdoo: OdooClient | undefined;
  pull: { lookbackMs: number; pageSize: number; externalIdFields: ExternalIdFields };
}

/** Odoo refusing for good (access, a bad field) ends the run at once; anything else is worth a few tries. */
function toPullFailure(err: unknown): unknown {
  if (err instanceof OdooError && err.kind === 'permanent') {
    return ApplicationFailure.nonRetryable(err.message, PULL_FAILURE_TYPES.odooRejected);
  }
  return err;
}

export function odooPullActivities(deps: OdooPullDeps) {
  const fork = () => deps.orm.em.fork() as EntityManager;
  const odoo = (): OdooClient => {
    if (!deps.pullOdoo) {
      throw ApplicationFailure.nonRetryable(
        'Odoo is not configured (ODOO_URL, ODOO_DB, ODOO_LOGIN, ODOO_API_KEY): nothing is pulled',
        PULL_FAILURE_TYPES.odooNotConfigured,
      );
    }
    return deps.pullOdoo;
  };

  return {
    /** Plans the run from the stored watermarks and opens its record in the audit log. */
    async openPullRun(request: Omit<BeginRequest, 'workflowId'>): Promise<PullPlan> {
      odoo();
      const workflowId = Context.current().info.workflowExecution?.workflowId ?? null;
      const em = fork();
      const now = new Date();
      const planned = await planRun(em, { ...request, workflowId }, deps.pull.lookbackMs);
      const runId = await beginRun(em, { ...request, workflowId }, planned, now);
      return { runId, startedAt: now.toISOString(), streams: planned.streams };
    },

    /** What the run's streams match as it starts (`search_count`): the progress bar's total. */
    async countPullRun(request: {
      entityType: PullEntityType;
      plan: PullPlan;
    }): Promise<{ streams: PullPlan['streams']; total: number }> {
      try {
        return await countRun(odoo(), request.entityType, request.plan.streams, deps.pull.lookbackMs);
      } catch (err) {
        throw toPullFailure(err);
      }
    },

    async pullPage(request: Omit<PullPageRequest, 'pageSize'>): Promise<PullPageResult> {
      const client = odoo();
      try {
        return await withHeartbeats(() =>
          pullPage(
            {
              em: fork,
              odoo: client,
              dispatcher: deps.dispatcher,
              externalIdFields: deps.pull.externalIdFields,
              metrics: deps.metrics,
            },
            { ...request, pageSize: deps.pull.pageSize },
          ),
        );
      } catch (err) {
        throw toPullFailure(err);
      }
    },

    async finishPullRun(end: {
      entityType: PullEntityType;
      runId: number;
      status: Exclude<SyncRunStatus, 'running'>;
      error: string | null;
      startedAt: string;
      complete: boolean;
    }): Promise<void> {
      await endRun(fork(), end, deps.metrics);
    },
  };
}
