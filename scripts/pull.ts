/**
 * npm run pull -- --entity products|partners|sale-orders|purchase-orders [--since 2026-01-01] [--full] [--no-wait]
 *
 * Starts a pull from Odoo (the run the Schedule pull:<entity_type> starts) and follows it until it ends: a live
 * progress bar in a terminal (records read / total, rate, ETA), a plain line every few seconds otherwise (CI, a
 * pipe), then the final counts, status and duration. Exit code 0: success; 1: partial, failed, or Temporal not
 * reachable; 2: usage or configuration error. Ctrl-C stops following; the run goes on in Temporal.
 */
import {
  CancelledFailure,
  Client,
  Connection,
  TerminatedFailure,
  TimeoutFailure,
  WorkflowFailedError,
  type WorkflowExecutionDescription,
} from '@temporalio/client';
import { SingleBar } from 'cli-progress';
import { ConfigError, loadConfig, type Config } from '../config/config';
import {
  addSample,
  exitCodeFor,
  ratePerSecond,
  renderBarLine,
  renderPlainLine,
  renderSummary,
  type ProgressSample,
  type ProgressView,
  type PullEnding,
} from '../sync/pull/progress-format';
import { PULL_ENTITY_LABELS, startPullRun } from '../sync/pull/pull-starter';
import { pullProgressQuery, type OdooPullWorkflow, type PullProgress } from '../workflows/contract';
import { parsePullArgs } from './pull-args';

const POLL_MS = 500;
/** Without a terminal: one line this often. */
const PLAIN_EVERY_MS = 5_000;
const CALL_DEADLINE_MS = 3_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The Temporal server: TEMPORAL_ADDRESS, or the embedded dev server `npm start` runs. */
function temporalAddressOf(config: Config): string {
  return config.temporal.address ?? `127.0.0.1:${config.temporal.devServerPort}`;
}

function endingStatusOf(err: unknown): PullEnding['status'] {
  if (!(err instanceof WorkflowFailedError)) return 'unknown';
  if (err.cause instanceof TerminatedFailure) return 'terminated';
  if (err.cause instanceof CancelledFailure) return 'cancelled';
  if (err.cause instanceof TimeoutFailure) return 'timed_out';
  return 'failed';
}

function errorText(err: unknown): string {
  if (err instanceof WorkflowFailedError && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** Polls the run's progress until it ends, showing it; returns how it ended. */
async function follow(
  client: Client,
  workflowId: string,
  entityLabel: string,
  stopping: () => boolean,
): Promise<PullEnding | undefined> {
  const handle = client.workflow.getHandle<OdooPullWorkflow>(workflowId);
  const tty = Boolean(process.stdout.isTTY);
  const followedSince = Date.now();
  let progress: PullProgress | null = null;
  let samples: ProgressSample[] = [];
  let description: WorkflowExecutionDescription | undefined;
  let lastPlainAt = 0;
  let tick = 0;
  const bar = tty
    ? new SingleBar({
        format: (_options, _params, payload: { view: ProgressView; tick: number }) =>
          renderBarLine(payload.view, { tick: payload.tick }),
        hideCursor: true,
        linewrap: false,
        fps: 10,
      })
    : undefined;
  const startMs = () => {
    const fromProgress = progress ? Date.parse(progress.startedAt) : NaN;
    return Number.isFinite(fromProgress) ? fromProgress : (description?.startTime.getTime() ?? followedSince);
  };
  const viewNow = (waiting?: string): ProgressView => ({
    entityLabel,
    progress,
    rate: ratePerSecond(samples),
    elapsedMs: Date.now() - startMs(),
    ...(waiting ? { waiting } : {}),
  });

  try {
    for (;;) {
      let waiting: string | undefined;
      try {
        description = await client.withDeadline(Date.now() + CALL_DEADLINE_MS, () => handle.describe());
      } catch (err) {
        waiting = `Temporal does not answer (${errorText(err)})`;
      }
      if (description && description.status.name !== 'RUNNING') break;
      if (!waiting) {
        try {
          const polled = await client.withDeadline(Date.now() + CALL_DEADLINE_MS, () =>
            handle.query(pullProgressQuery),
          );
          samples = addSample(samples, { at: Date.now(), read: polled.counts.read });
          progress = polled;
        } catch {
          waiting = progress
            ? 'the run does not answer (its worker is busy or restarting)'
            : 'waiting for a worker to pick up the run (is `npm start` or the worker running?)';
        }
      }
      const view = viewNow(waiting);
      if (bar) {
        if (tick === 0) bar.start(1, 0, { view, tick });
        else bar.update(0, { view, tick });
        tick++;
      } else if (Date.now() - lastPlainAt >= PLAIN_EVERY_MS) {
        console.log(renderPlainLine(view));
        lastPlainAt = Date.now();
      }
      if (stopping()) return undefined;
      await sleep(POLL_MS);
      if (stopping()) return undefined;
    }

    let status: PullEnding['status'];
    let error: string | null = null;
    try {
      const result = await handle.result();
      progress = result;
      status = result.status;
    } catch (err) {
      status = endingStatusOf(err);
      error = errorText(err);
    }
    const closedAt = description?.closeTime?.getTime() ?? Date.now();
    // The bar's last frame shows where the run ended, not the last poll.
    if (bar && tick > 0) bar.update(0, { view: { ...viewNow(), elapsedMs: closedAt - startMs() }, tick });
    return { workflowId, status, durationMs: closedAt - startMs(), progress, error };
  } finally {
    bar?.stop();
  }
}

async function main(): Promise<number> {
  const parsed = parsePullArgs(process.argv.slice(2));
  if (!parsed.ok) {
    (parsed.exitCode === 0 ? console.log : console.error)(parsed.output);
    return parsed.exitCode;
  }
  const { args } = parsed;
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    return 2;
  }
  if (!config.odoo) {
    console.error(
      'ODOO_URL, ODOO_DB, ODOO_LOGIN and ODOO_API_KEY are not all set: nothing is pulled from Odoo.\n' +
        'Set them for the worker (npm start, or the worker process) and for this command.',
    );
    return 2;
  }

  const address = temporalAddressOf(config);
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: 5_000 });
  } catch (err) {
    const hint = config.temporal.address ? '' : ' (TEMPORAL_ADDRESS is not set: is `npm start` running?)';
    console.error(`Cannot reach Temporal at ${address}${hint}: ${errorText(err)}`);
    return 1;
  }
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  try {
    const client = new Client({ connection, namespace: config.temporal.namespace });
    const label = PULL_ENTITY_LABELS[args.entityType];
    const started = await startPullRun(client, config.temporal.pullTaskQueue, {
      entityType: args.entityType,
      ...(args.since !== undefined ? { since: args.since } : {}),
      full: args.full,
      trigger: 'manual',
    });
    console.log(`Started the pull of ${label}: ${started.workflowId} (run ${started.runId})`);
    if (!config.temporal.address) {
      const ui = `http://127.0.0.1:${config.temporal.uiPort}/namespaces/${encodeURIComponent(config.temporal.namespace)}`;
      console.log(`  Temporal UI: ${ui}/workflows/${encodeURIComponent(started.workflowId)}`);
    }
    if (!args.wait) return 0;

    process.once('SIGINT', onSigint);
    const ending = await follow(client, started.workflowId, label, () => interrupted);
    if (!ending) {
      console.log(`Stopped following; the run goes on in Temporal: ${started.workflowId}`);
      return 130;
    }
    for (const line of renderSummary(ending, label)) console.log(line);
    return exitCodeFor(ending.status);
  } finally {
    process.off('SIGINT', onSigint);
    await connection.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(errorText(err));
    process.exit(1);
  },
);
