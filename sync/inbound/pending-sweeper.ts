import type { MikroORM } from '@mikro-orm/core';
import { primaryEm } from '../../db/primary-orm';
import type { EntityType } from '../../entities/processing-state';
import type { Logger } from '../../observability/logger';
import type { Metrics } from '../../observability/metrics';
import type { InboundDispatcher } from './dispatcher';
import { handledEntityTypes, inboundSpecFor } from './specs';

/** A version no hand-off covers: never handed off, or stored after its last hand-off. */
const NOT_HANDED_OFF = '(handed_off_at is null or handed_off_at < updated_at)';

/**
 * Hands off again the records whose versions Temporal does not hold, a while after they were stored: pending
 * ones whose signal-with-start failed (Temporal unreachable, a crash between commit and hand-off) and stubs
 * whose hand-off was deferred. A record queued behind a backlog was handed off already and is left alone, so
 * the sweep adds no load when Temporal is behind; at most `maxPerPass` records are handed off per pass.
 */
export class PendingSweeper {
  constructor(
    private readonly orm: MikroORM,
    private readonly dispatcher: InboundDispatcher,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly options: { minAgeMs: number; maxPerPass: number },
  ) {}

  /** One pass over every entity type; returns how many records were handed off. */
  async sweep(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.options.minAgeMs);
    let budget = this.options.maxPerPass;
    let handed = 0;
    for (const entityType of handledEntityTypes()) {
      await this.countSkipped(entityType, before);
      if (budget <= 0) continue;
      const due = [
        ...(await this.due(entityType, 'pending', before, budget)),
        ...(await this.due(entityType, 'stub', before, budget)),
      ].slice(0, budget);
      if (due.length === 0) continue;
      budget -= due.length;
      const result = await this.dispatcher.dispatch(entityType, due);
      handed += result.started;
      this.metrics.sweepHandOffs.inc({ entity_type: entityType }, result.started);
      this.log.info({ entityType, handed: result.started, deferred: result.deferred }, 'records handed off again');
    }
    return handed;
  }

  private async due(entityType: EntityType, state: 'pending' | 'stub', before: Date, limit: number) {
    const spec = inboundSpecFor(entityType);
    const rows: Array<{ external_id: string }> = await primaryEm(this.orm)
      .createQueryBuilder(spec.entity)
      .select('externalId')
      .where({ ...spec.rowScope, processingState: state, updatedAt: { $lte: before } })
      .andWhere(NOT_HANDED_OFF)
      .orderBy({ updatedAt: 'asc' })
      .limit(limit)
      .execute('all', false);
    return rows.map((r) => r.external_id);
  }

  /** Pending records past the age that Temporal already holds: what a sweep without the hand-off note re-signalled. */
  private async countSkipped(entityType: EntityType, before: Date): Promise<void> {
    const spec = inboundSpecFor(entityType);
    const skipped = await primaryEm(this.orm)
      .createQueryBuilder(spec.entity)
      .where({ ...spec.rowScope, processingState: 'pending', updatedAt: { $lte: before } })
      .andWhere(`not ${NOT_HANDED_OFF}`)
      .getCount();
    if (skipped) this.metrics.sweepSkipped.inc({ entity_type: entityType }, skipped);
  }
}
