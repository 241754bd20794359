import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { ApplicationFailure, log } from '@temporalio/activity';
import type { EntityType, ProcessingState } from '../entities/processing-state';
import type { Metrics } from '../observability/metrics';
import { inboundSpecFor } from '../sync/inbound-specs';

export interface ProcessResult {
  state: ProcessingState;
  errorMessage: string | null;
}

export interface InboundRecordDeps {
  orm: MikroORM;
  metrics: Metrics;
}

/**
 * Marks the stored version of a record processed. The update is conditional on the version read, so a
 * push that lands meanwhile is never marked processed unseen: its own signal runs this again.
 */
export function inboundRecordActivities({ orm, metrics }: InboundRecordDeps) {
  return {
    async processInboundRecord(input: { entityType: EntityType; externalId: string }): Promise<ProcessResult> {
      const spec = inboundSpecFor(input.entityType);
      const em = orm.em.fork() as EntityManager;
      const row = await em.findOne(
        spec.entity,
        { externalId: input.externalId },
        { fields: ['id', 'processingState', 'updatedAt', 'stubCreatedAt', 'errorMessage'] },
      );
      if (!row) {
        throw ApplicationFailure.nonRetryable(
          `No stored ${input.entityType} with external id ${input.externalId}`,
          'RecordNotFound',
        );
      }
      if (row.processingState !== 'pending' && row.processingState !== 'processing') {
        return { state: row.processingState, errorMessage: row.errorMessage };
      }
      const now = new Date();
      const updated = await em.nativeUpdate(
        spec.entity,
        { id: row.id, updatedAt: row.updatedAt },
        { processingState: 'processed', errorMessage: null, changedAt: now, updatedAt: now },
      );
      if (updated === 0) return { state: 'pending', errorMessage: null };
      if (row.stubCreatedAt) {
        const ageSeconds = (now.getTime() - row.stubCreatedAt.getTime()) / 1000;
        metrics.stubUpgradeAge.observe({ entity_type: input.entityType }, ageSeconds);
        log.info('stub upgraded', {
          entityType: input.entityType,
          externalId: input.externalId,
          stubAgeSeconds: ageSeconds,
        });
        await em.nativeUpdate(spec.entity, { id: row.id }, { stubCreatedAt: null });
      }
      return { state: 'processed', errorMessage: null };
    },
  };
}
