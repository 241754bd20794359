/**
 * Stands in for the pull workflow in tests of what starts and follows runs (`npm run pull`): it registers under
 * the contract's name, answers the contract's progress query and returns the contract's result, with a script
 * per entity type instead of Odoo. Bundled by the tests that use it; never part of the worker's code.
 */
import { ApplicationFailure, setHandler, sleep } from '@temporalio/workflow';
import { pullProgressQuery, type OdooPullInput, type PullProgress } from '../../workflows/contract';

export const SCRIPTED_PAGE_MS = 400;

/** product: success (30 records in 3 pages); partner: partial (2 failed); sale_order: fails; purchase_order: runs on. */
export async function odooPullWorkflow(input: OdooPullInput): Promise<PullProgress> {
  const progress: PullProgress = {
    entityType: input.entityType,
    runId: 1,
    phase: 'counting',
    counts: { read: 0, created: 0, updated: 0, unchanged: 0, failed: 0 },
    total: null,
    pages: 0,
    startedAt: new Date().toISOString(),
    cursor: null,
    status: 'running',
    error: null,
  };
  setHandler(pullProgressQuery, () => progress);
  await sleep(SCRIPTED_PAGE_MS);
  if (input.entityType === 'purchase_order') {
    progress.phase = 'reading';
    await sleep('1 hour');
  }
  progress.total = 30;
  progress.phase = 'reading';
  for (let page = 1; page <= 3; page++) {
    await sleep(SCRIPTED_PAGE_MS);
    progress.pages = page;
    progress.counts.read += 10;
    if (page === 1) progress.counts.created += 10;
    else if (input.entityType === 'partner' && page === 3) {
      progress.counts.unchanged += 8;
      progress.counts.failed += 2;
    } else progress.counts.unchanged += 10;
    progress.cursor = { writeDate: `2026-01-01 00:00:0${page}`, id: page * 10 };
  }
  if (input.entityType === 'sale_order') {
    throw ApplicationFailure.nonRetryable('Odoo refused the read: AccessError on sale.order', 'OdooAccessError');
  }
  progress.phase = 'done';
  progress.status = progress.counts.failed > 0 ? 'partial' : 'success';
  if (progress.status === 'partial') progress.error = '2 records refused';
  return progress;
}
