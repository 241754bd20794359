import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BreakerState } from '../odoo/circuit-breaker';

const BREAKER_STATES: readonly BreakerState[] = ['closed', 'half_open', 'open'];

/** Every metric the service exports, on one registry per process. */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly inboundRecords = new Counter({
    name: 'inbound_records_total',
    help: 'Records pushed by Odoo, by entity type and outcome (created, updated, unchanged, invalid)',
    labelNames: ['entity_type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly workflowStarts = new Counter({
    name: 'workflow_signal_with_start_total',
    help: 'Signal-with-start calls for inbound records, by entity type and result (ok, deferred)',
    labelNames: ['entity_type', 'result'] as const,
    registers: [this.registry],
  });

  readonly sweepHandOffs = new Counter({
    name: 'pending_sweep_handoffs_total',
    help: 'Records the pending sweep handed to Temporal again (their versions had no successful hand-off)',
    labelNames: ['entity_type'] as const,
    registers: [this.registry],
  });

  readonly sweepSkipped = new Counter({
    name: 'pending_sweep_skipped_total',
    help: 'Pending records the sweep left alone because Temporal already holds them: the needless hand-offs avoided, counted per pass',
    labelNames: ['entity_type'] as const,
    registers: [this.registry],
  });

  readonly stubUpgradeAge = new Histogram({
    name: 'stub_upgrade_age_seconds',
    help: 'Age of a stub when Odoo pushed its full record',
    labelNames: ['entity_type'] as const,
    buckets: [1, 10, 60, 600, 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400],
    registers: [this.registry],
  });

  readonly syncBackOutcomes = new Counter({
    name: 'sync_back_orders_total',
    help: 'Webshop orders leaving the sync-back, by outcome (synced, failed, cancelled)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly syncBackLifecycle = new Counter({
    name: 'sync_back_order_lifecycle_total',
    help: 'Webshop orders after the create: confirmed in Odoo (confirm), changed in Odoo by a merge (update), cancelled by the webshop (cancel), abandoned by an operator (abandon), in conflict (conflict)',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  readonly syncResolutions = new Counter({
    name: 'sync_resolutions_total',
    help: 'Differences between a webshop order and its Odoo order settled, by rule: webshop_only, odoo_only, same_change, amount_tolerance, odoo_line_kept, cancel_wins (automatic), operator_webshop, operator_odoo (by an operator)',
    labelNames: ['rule'] as const,
    registers: [this.registry],
  });

  private readOdooBreaker: (() => BreakerState) | undefined;

  readonly odooBreaker = new Gauge({
    name: 'odoo_circuit_breaker_state',
    help: "1 for the current state of this process's Odoo circuit breaker (closed, half_open, open); absent without an Odoo client",
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: () => {
      const current = this.readOdooBreaker?.();
      if (current) for (const state of BREAKER_STATES) this.odooBreaker.set({ state }, state === current ? 1 : 0);
    },
  });

  /** Reports the breaker of the process's Odoo client (read at scrape time, so an expired open shows half_open). */
  trackOdooBreaker(read: () => BreakerState): void {
    this.readOdooBreaker = read;
  }

  /** The breaker state, when this process holds an Odoo client. */
  odooBreakerState(): BreakerState | undefined {
    return this.readOdooBreaker?.();
  }

  private readFeedBacklogs: (() => Promise<{ feed: string; backlogSeconds: number }[]>) | undefined;

  readonly feedBacklogAge = new Gauge({
    name: 'feed_oldest_unacknowledged_change_seconds',
    help: 'Age of the oldest change each webshop feed serves that the webshop has not acknowledged (0: none); grows while the webshop is not consuming',
    labelNames: ['feed'] as const,
    registers: [this.registry],
    collect: async () => {
      try {
        for (const { feed, backlogSeconds } of (await this.readFeedBacklogs?.()) ?? []) {
          this.feedBacklogAge.set({ feed }, backlogSeconds);
        }
      } catch {
        // The store is down: no figure rather than a stale one; /ready says what is down.
        this.feedBacklogAge.reset();
      }
    },
  });

  /** Reads the feeds' backlogs at scrape time (the API process, which has the primary store). */
  trackFeedBacklogs(read: () => Promise<{ feed: string; backlogSeconds: number }[]>): void {
    this.readFeedBacklogs = read;
  }

  readonly syncRuns = new Counter({
    name: 'sync_runs_total',
    help: 'Sync runs ended, by kind (pull, push, webshop), entity type and status (success, partial, failed)',
    labelNames: ['kind', 'entity_type', 'status'] as const,
    registers: [this.registry],
  });

  readonly pullRecordsRead = new Counter({
    name: 'pull_records_read_total',
    help: 'Records the pull read from Odoo, by entity type (a retried page is counted once)',
    labelNames: ['entity_type'] as const,
    registers: [this.registry],
  });

  private readPullLags: (() => Promise<{ entityType: string; lagSeconds: number }[]>) | undefined;

  readonly pullLag = new Gauge({
    name: 'pull_lag_seconds',
    help: 'How far behind now the pull of each entity type has read Odoo (now minus the time up to which everything is read); absent before its first run',
    labelNames: ['entity_type'] as const,
    registers: [this.registry],
    collect: async () => {
      try {
        const lags = (await this.readPullLags?.()) ?? [];
        this.pullLag.reset();
        for (const { entityType, lagSeconds } of lags) this.pullLag.set({ entity_type: entityType }, lagSeconds);
      } catch {
        // The store is down: no figure rather than a stale one; /ready says what is down.
        this.pullLag.reset();
      }
    },
  });

  /** Reads the pull lags at scrape time, one query (wired by the composition root, which has the primary store). */
  trackPullLag(read: () => Promise<{ entityType: string; lagSeconds: number }[]>): void {
    this.readPullLags = read;
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
