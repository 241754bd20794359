import type { FilterQuery, MikroORM } from '@mikro-orm/core';
import type { SyncFields } from '../../entities/sync-fields';
import type { Logger } from '../../observability/logger';
import type { InboundDispatcher } from './dispatcher';
import { handledEntityTypes, inboundSpecFor } from './specs';

const BATCH = 500;

/**
 * Hands off again the records still `pending` a while after their push: the ones whose workflow could not
 * be started (Temporal unreachable, or a crash between the commit and the start). Re-signalling a running
 * workflow is harmless, so the sweep needs no bookkeeping of its own.
 */
export class PendingSweeper {
  constructor(
    private readonly orm: MikroORM,
    private readonly dispatcher: InboundDispatcher,
    private readonly log: Logger,
    private readonly options: { minAgeMs: number },
  ) {}

  /** One pass over every entity type; returns how many records were handed off. */
  async sweep(now = new Date()): Promise<number> {
    let handed = 0;
    for (const entityType of handledEntityTypes()) {
      const spec = inboundSpecFor(entityType);
      const before = new Date(now.getTime() - this.options.minAgeMs);
      const rows = await this.orm.em
        .fork()
        .find(
          spec.entity,
          { ...spec.rowScope, processingState: 'pending', updatedAt: { $lte: before } } as FilterQuery<SyncFields>,
          {
            fields: ['externalId'],
            limit: BATCH,
            orderBy: { updatedAt: 'asc' },
          },
        );
      if (rows.length === 0) continue;
      const result = await this.dispatcher.dispatch(
        entityType,
        rows.map((r) => r.externalId),
      );
      handed += result.started;
      this.log.info({ entityType, handed: result.started, deferred: result.deferred }, 'pending records handed off');
    }
    return handed;
  }
}
