/**
 * What `npm run pull` shows of a run: the progress bar (or, without a terminal, a plain line every few seconds),
 * the rate and ETA it computes from the progress it polls, and the final summary. Pure: no I/O, no clock.
 */
import type { PullProgress } from '../../workflows/contract';
import { PULL_ENTITY_LABELS } from './pull-starter';

/** Records read at one instant, as polled. */
export interface ProgressSample {
  at: number;
  read: number;
}

/** The window the rate is measured over: long enough to smooth page bursts, short enough to follow a change. */
export const RATE_WINDOW_MS = 10_000;

/** Keeps the samples of the last `windowMs` (and the one just before, as the window's start); restarts on a drop. */
export function addSample(samples: readonly ProgressSample[], sample: ProgressSample, windowMs = RATE_WINDOW_MS) {
  const last = samples.at(-1);
  if (last && (sample.read < last.read || sample.at < last.at)) return [sample];
  const kept = [...samples, sample];
  let start = 0;
  while (start < kept.length - 2 && kept[start + 1]!.at <= sample.at - windowMs) start++;
  return kept.slice(start);
}

/** Records per second over the samples; null until two samples lie apart in time. */
export function ratePerSecond(samples: readonly ProgressSample[]): number | null {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || last.at <= first.at) return null;
  return ((last.read - first.read) * 1000) / (last.at - first.at);
}

/** Seconds left at `rate`; null when the total or a rate is not known (or nothing moves). */
export function etaSeconds(read: number, total: number | null, rate: number | null): number | null {
  if (total === null) return null;
  if (read >= total) return 0;
  if (rate === null || rate <= 0) return null;
  return Math.ceil((total - read) / rate);
}

const numberFormat = new Intl.NumberFormat('en-US');
export const formatCount = (n: number): string => numberFormat.format(n);

export function formatRate(rate: number | null): string {
  if (rate === null) return '-/s';
  return `${rate >= 10 ? formatCount(Math.round(rate)) : rate.toFixed(1)}/s`;
}

/** `850ms`, `42s`, `3m 05s`, `1h 02m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

export function formatEta(seconds: number | null): string {
  return seconds === null ? 'ETA -' : `ETA ${formatDuration(seconds * 1000)}`;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
export const spinnerFrame = (tick: number): string => SPINNER[Math.abs(tick) % SPINNER.length]!;

export function renderBar(read: number, total: number, width: number): string {
  const ratio = total <= 0 ? 1 : Math.min(1, read / total);
  const filled = Math.round(ratio * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

export const percentOf = (read: number, total: number): number =>
  total <= 0 ? 100 : Math.min(100, Math.floor((read * 100) / total));

function countsText(progress: PullProgress): string {
  const c = progress.counts;
  return `created ${formatCount(c.created)}, updated ${formatCount(c.updated)}, unchanged ${formatCount(c.unchanged)}, failed ${formatCount(c.failed)}`;
}

/** What the display knows at one poll. `progress` is null until the run answers its query (no worker yet). */
export interface ProgressView {
  entityLabel: string;
  progress: PullProgress | null;
  rate: number | null;
  elapsedMs: number;
  /** Said instead of the counts while there is no progress (e.g. "waiting for a worker"). */
  waiting?: string;
}

/** The line of the live bar (a terminal): bar, percent, read/total, rate, ETA, and the counts. */
export function renderBarLine(view: ProgressView, options: { width?: number; tick?: number } = {}): string {
  const { width = 24, tick = 0 } = options;
  const head = `${view.entityLabel} ${formatDuration(view.elapsedMs).padStart(7)}`;
  const p = view.progress;
  if (!p) return `${head} ${spinnerFrame(tick)} ${view.waiting ?? 'waiting for the run to start'}`;
  const read = p.counts.read;
  if (p.total === null) {
    const what = p.phase === 'counting' ? 'counting the records in Odoo' : 'total not known yet';
    return `${head} ${spinnerFrame(tick)} ${formatCount(read)} read (${what}) | ${formatRate(view.rate)} | ${countsText(p)}`;
  }
  return (
    `${head} ${renderBar(read, p.total, width)} ${String(percentOf(read, p.total)).padStart(3)}% | ` +
    `${formatCount(read)}/${formatCount(p.total)} read | ${formatRate(view.rate)} | ` +
    `${formatEta(etaSeconds(read, p.total, view.rate))} | ${countsText(p)}`
  );
}

/** One line for a log (no terminal: CI, a pipe), printed every few seconds instead of the bar. */
export function renderPlainLine(view: ProgressView): string {
  const head = `[${formatDuration(view.elapsedMs)}] ${view.entityLabel}:`;
  const p = view.progress;
  if (!p) return `${head} ${view.waiting ?? 'waiting for the run to start'}`;
  const read = p.counts.read;
  const amount =
    p.total === null
      ? `${formatCount(read)} read (${p.phase === 'counting' ? 'counting the records in Odoo' : 'total not known yet'})`
      : `${formatCount(read)}/${formatCount(p.total)} read (${percentOf(read, p.total)}%), ${formatEta(etaSeconds(read, p.total, view.rate))}`;
  return `${head} ${amount}, ${formatRate(view.rate)}; ${countsText(p)}`;
}

/** How a run ended, as the CLI learns it from Temporal. */
export interface PullEnding {
  workflowId: string;
  /** The run's own status when it returned its progress; otherwise how Temporal closed it. */
  status: PullProgress['status'] | 'terminated' | 'cancelled' | 'timed_out' | 'unknown';
  durationMs: number;
  /** The last progress known: the run's result, or the last one polled. */
  progress: PullProgress | null;
  error?: string | null;
}

/** 0: success; 1: partial, failed or ended otherwise (terminated, cancelled, timed out). Usage errors are 2. */
export function exitCodeFor(status: PullEnding['status']): 0 | 1 {
  return status === 'success' ? 0 : 1;
}

/** The lines printed when the run has ended. */
export function renderSummary(ending: PullEnding, entityLabel: string): string[] {
  const lines = [
    `Pull of ${entityLabel} ${ending.status} in ${formatDuration(ending.durationMs)} (${ending.workflowId})`,
  ];
  const p = ending.progress;
  if (p) {
    const total = p.total === null ? '' : ` of ${formatCount(p.total)}`;
    const rate = ending.durationMs > 0 ? (p.counts.read * 1000) / ending.durationMs : null;
    lines.push(
      `  read ${formatCount(p.counts.read)}${total} in ${formatCount(p.pages)} page${p.pages === 1 ? '' : 's'} (${formatRate(rate)}): ${countsText(p)}`,
    );
  }
  const error = ending.error ?? p?.error;
  if (error) lines.push(`  error: ${error}`);
  return lines;
}

export const entityLabel = (progress: Pick<PullProgress, 'entityType'>): string =>
  PULL_ENTITY_LABELS[progress.entityType];
