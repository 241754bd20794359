import * as wf from '@temporalio/workflow';
import type { createActivities } from '../activities';
import {
  PULL_FAILURE_TYPES,
  PULL_PAGES_PER_EXECUTION,
  pullProgressQuery,
  type OdooPullInput,
  type PullCounts,
  type PullPlan,
  type PullProgress,
} from './contract';

type Activities = ReturnType<typeof createActivities>;

/** Database bookkeeping of the run. */
const bookkeeping = wf.proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/**
 * Odoo reads: a few quick tries, then the run ends `partial` and the next one resumes from the stored
 * watermark (a run does not sit for hours on a down Odoo: the Schedule starts the next one anyway).
 */
const odooReads = wf.proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '20 seconds',
    maximumAttempts: 4,
    nonRetryableErrorTypes: [PULL_FAILURE_TYPES.odooRejected, PULL_FAILURE_TYPES.odooNotConfigured],
  },
});

const emptyCounts = (): PullCounts => ({ read: 0, created: 0, updated: 0, unchanged: 0, failed: 0 });

function describe(p: PullProgress): string {
  const total = p.total === null ? '?' : String(p.total);
  const { read, created, updated, unchanged, failed } = p.counts;
  const position = p.cursor ? `, at ${p.cursor.writeDate} #${p.cursor.id}` : '';
  const error = p.error ? `\n\nError: ${p.error}` : '';
  return (
    `**${p.status}** (${p.phase}): ${read} of ${total} read in ${p.pages} pages${position}\n\n` +
    `created ${created}, updated ${updated}, unchanged ${unchanged}, failed ${failed}${error}`
  );
}

function errorMessage(err: unknown): string {
  if (err instanceof wf.ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** What the run has done: its query, its current details in the Temporal UI. */
class PullRunState {
  constructor(
    readonly progress: PullProgress,
    readonly plan: PullPlan,
  ) {}

  addPage(counts: PullCounts, last: PullProgress['cursor']): void {
    const c = this.progress.counts;
    for (const key of Object.keys(c) as (keyof PullCounts)[]) c[key] += counts[key];
    this.progress.pages++;
    if (last) this.progress.cursor = last;
    this.show();
  }

  end(status: PullProgress['status'], error: string | null): PullProgress {
    this.progress.status = status;
    this.progress.phase = status === 'failed' ? 'failed' : 'done';
    this.progress.error = error;
    this.show();
    return this.progress;
  }

  show(): void {
    wf.setCurrentDetails(describe(this.progress));
  }
}

/** Reads one entity type from Odoo, page by page, through the push's importer. */
export async function odooPullWorkflow(input: OdooPullInput): Promise<PullProgress> {
  const run = input.carried ? new PullRunState(input.carried.progress, input.carried.plan) : await openRun(input);
  wf.setHandler(pullProgressQuery, () => run.progress);
  run.show();
  if (run.progress.total === null) await countRun(input, run);
  if (run.progress.status === 'failed') return finish(input, run, 'failed', run.progress.error);

  let pagesThisExecution = 0;
  for (const [streamIndex, stream] of run.plan.streams.entries()) {
    while (!stream.done) {
      if (pagesThisExecution >= PULL_PAGES_PER_EXECUTION || wf.workflowInfo().continueAsNewSuggested) {
        await wf.continueAsNew<typeof odooPullWorkflow>({
          ...input,
          carried: { progress: run.progress, plan: run.plan },
        });
      }
      let page;
      try {
        page = await odooReads.pullPage({
          entityType: input.entityType,
          runId: run.plan.runId,
          streamIndex,
          stream,
          expectedPages: run.progress.pages,
        });
      } catch (err) {
        // Odoo down or refusing: what was read is stored, and so is the watermark; the next run resumes there.
        const status = run.progress.counts.read > 0 ? 'partial' : 'failed';
        return finish(input, run, status, errorMessage(err));
      }
      pagesThisExecution++;
      run.addPage(page.counts, page.last);
      if (page.last) stream.after = page.last;
      stream.done = page.done;
    }
  }
  return finish(input, run, run.progress.counts.failed > 0 ? 'partial' : 'success', null);
}

async function openRun(input: OdooPullInput): Promise<PullRunState> {
  const plan = await bookkeeping.openPullRun({
    entityType: input.entityType,
    trigger: input.trigger,
    since: input.since,
    full: input.full,
  });
  return new PullRunState(
    {
      entityType: input.entityType,
      runId: plan.runId,
      phase: 'counting',
      counts: emptyCounts(),
      total: null,
      pages: 0,
      startedAt: plan.startedAt,
      cursor: null,
      status: 'running',
      error: null,
    },
    plan,
  );
}

async function countRun(input: OdooPullInput, run: PullRunState): Promise<void> {
  try {
    const counted = await odooReads.countPullRun({ entityType: input.entityType, plan: run.plan });
    run.plan.streams = counted.streams;
    run.progress.total = counted.total;
    run.progress.phase = 'reading';
  } catch (err) {
    run.progress.status = 'failed';
    run.progress.error = errorMessage(err);
  }
  run.show();
}

async function finish(
  input: OdooPullInput,
  run: PullRunState,
  status: Exclude<PullProgress['status'], 'running'>,
  error: string | null,
): Promise<PullProgress> {
  await bookkeeping.finishPullRun({
    entityType: input.entityType,
    runId: run.plan.runId,
    status,
    error,
    startedAt: run.plan.startedAt,
    complete: run.plan.streams.every((s) => s.done),
  });
  return run.end(status, error);
}
