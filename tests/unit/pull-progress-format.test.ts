import {
  addSample,
  etaSeconds,
  exitCodeFor,
  formatDuration,
  formatRate,
  percentOf,
  ratePerSecond,
  renderBar,
  renderBarLine,
  renderPlainLine,
  renderSummary,
  type ProgressSample,
} from '../../sync/pull/progress-format';
import { pullRunInput, pullRunSummary } from '../../sync/pull/pull-starter';
import type { PullProgress } from '../../workflows/contract';

const progress = (over: Partial<PullProgress> = {}, counts: Partial<PullProgress['counts']> = {}): PullProgress => ({
  entityType: 'product',
  runId: 7,
  phase: 'reading',
  counts: { read: 0, created: 0, updated: 0, unchanged: 0, failed: 0, ...counts },
  total: null,
  pages: 0,
  startedAt: '2026-01-01T00:00:00.000Z',
  cursor: null,
  status: 'running',
  error: null,
  ...over,
});

describe('pull progress: rate and ETA', () => {
  it('measures the rate over the last window of samples', () => {
    let samples: ProgressSample[] = [];
    expect(ratePerSecond(samples)).toBeNull();
    samples = addSample(samples, { at: 0, read: 0 });
    expect(ratePerSecond(samples)).toBeNull();
    samples = addSample(samples, { at: 1_000, read: 100 });
    expect(ratePerSecond(samples)).toBe(100);
    // A burst then a slow phase: only the last 10 s count (and the sample that opens them).
    for (let t = 2_000; t <= 30_000; t += 1_000) samples = addSample(samples, { at: t, read: 100 + (t - 1_000) / 100 });
    expect(samples[0]!.at).toBe(20_000);
    expect(ratePerSecond(samples)).toBeCloseTo(10);
  });

  it('starts over when the count drops (another run) and keeps two samples at least', () => {
    let samples = addSample([], { at: 0, read: 500 });
    samples = addSample(samples, { at: 60_000, read: 600 });
    expect(samples).toHaveLength(2);
    samples = addSample(samples, { at: 61_000, read: 10 });
    expect(samples).toEqual([{ at: 61_000, read: 10 }]);
  });

  it('estimates the time left only with a total and a rate', () => {
    expect(etaSeconds(100, null, 50)).toBeNull();
    expect(etaSeconds(100, 1_000, null)).toBeNull();
    expect(etaSeconds(100, 1_000, 0)).toBeNull();
    expect(etaSeconds(100, 1_000, 30)).toBe(30);
    // Records written during the run can take the count past the total counted at the start.
    expect(etaSeconds(1_200, 1_000, 30)).toBe(0);
    expect(percentOf(1_200, 1_000)).toBe(100);
    expect(percentOf(0, 0)).toBe(100);
    expect(percentOf(333, 1_000)).toBe(33);
  });

  it('formats durations, rates and bars', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(42_000)).toBe('42s');
    expect(formatDuration(185_000)).toBe('3m 05s');
    expect(formatDuration(3_720_000)).toBe('1h 02m');
    expect(formatRate(null)).toBe('-/s');
    expect(formatRate(2.345)).toBe('2.3/s');
    expect(formatRate(12_345.6)).toBe('12,346/s');
    expect(renderBar(1, 4, 8)).toBe('██░░░░░░');
    expect(renderBar(9, 4, 4)).toBe('████');
  });
});

describe('pull progress: lines', () => {
  const view = { entityLabel: 'products', rate: 250, elapsedMs: 12_000 };

  it('draws the bar with read/total, percent, rate, ETA and counts once the total is known', () => {
    const line = renderBarLine(
      { ...view, progress: progress({ total: 10_000 }, { read: 2_500, created: 3, updated: 2, unchanged: 2_495 }) },
      { width: 8 },
    );
    expect(line).toBe(
      'products     12s ██░░░░░░  25% | 2,500/10,000 read | 250/s | ETA 30s | created 3, updated 2, unchanged 2,495, failed 0',
    );
  });

  it('counts with a spinner while the total is unknown, and says what it waits for before any progress', () => {
    expect(renderBarLine({ ...view, progress: progress({ phase: 'counting' }) }, { tick: 1 })).toBe(
      'products     12s ⠙ 0 read (counting the records in Odoo) | 250/s | created 0, updated 0, unchanged 0, failed 0',
    );
    expect(renderBarLine({ ...view, progress: progress({}, { read: 40 }) }, { tick: 10 })).toMatch(
      /⠋ 40 read \(total not known yet\)/,
    );
    expect(renderBarLine({ ...view, rate: null, progress: null, waiting: 'waiting for a worker' })).toBe(
      'products     12s ⠋ waiting for a worker',
    );
  });

  it('prints plain lines for logs', () => {
    expect(renderPlainLine({ ...view, progress: progress({ total: 1_000 }, { read: 500, unchanged: 500 }) })).toBe(
      '[12s] products: 500/1,000 read (50%), ETA 2s, 250/s; created 0, updated 0, unchanged 500, failed 0',
    );
    expect(renderPlainLine({ ...view, rate: null, progress: null })).toBe(
      '[12s] products: waiting for the run to start',
    );
  });

  it('sums a run up when it ends, with the exit code of its status', () => {
    const final = progress(
      { total: 1_000, pages: 5, status: 'partial', phase: 'done', error: '2 records refused' },
      { read: 1_000, created: 10, updated: 20, unchanged: 968, failed: 2 },
    );
    expect(
      renderSummary(
        { workflowId: 'pull:product:manual-x', status: 'partial', durationMs: 4_000, progress: final },
        'products',
      ),
    ).toEqual([
      'Pull of products partial in 4s (pull:product:manual-x)',
      '  read 1,000 of 1,000 in 5 pages (250/s): created 10, updated 20, unchanged 968, failed 2',
      '  error: 2 records refused',
    ]);
    expect(
      renderSummary(
        { workflowId: 'w', status: 'terminated', durationMs: 1_500, progress: null, error: 'by operator' },
        'partners',
      ),
    ).toEqual(['Pull of partners terminated in 2s (w)', '  error: by operator']);
    expect(exitCodeFor('success')).toBe(0);
    for (const status of ['partial', 'failed', 'terminated', 'cancelled', 'timed_out', 'unknown'] as const) {
      expect(exitCodeFor(status)).toBe(1);
    }
  });
});

describe('pull runs: input and summary', () => {
  it('passes the options of a manual run as the workflow input, and names it for the Temporal UI', () => {
    expect(pullRunInput({ entityType: 'sale_order', trigger: 'manual' })).toEqual({
      entityType: 'sale_order',
      trigger: 'manual',
    });
    expect(pullRunInput({ entityType: 'product', trigger: 'manual', since: '2026-01-01', full: false })).toEqual({
      entityType: 'product',
      trigger: 'manual',
      since: '2026-01-01',
    });
    expect(pullRunInput({ entityType: 'product', trigger: 'manual', full: true })).toEqual({
      entityType: 'product',
      trigger: 'manual',
      full: true,
    });
    expect(pullRunSummary({ entityType: 'sale_order', since: '2026-01-01', how: 'manual' })).toBe(
      'Pull sale orders from Odoo (manual, since 2026-01-01)',
    );
    expect(pullRunSummary({ entityType: 'partner', full: true, how: 'manual' })).toBe(
      'Pull partners from Odoo (manual, full)',
    );
    expect(pullRunSummary({ entityType: 'purchase_order', how: 'scheduled' })).toBe(
      'Pull purchase orders from Odoo (scheduled, from the watermark)',
    );
  });
});
