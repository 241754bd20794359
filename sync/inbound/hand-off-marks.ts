import type { FilterQuery, MikroORM } from '@mikro-orm/core';
import type { EntityType } from '../../entities/processing-state';
import type { SyncFields } from '../../entities/sync-fields';
import { inboundSpecFor } from './specs';

/** Notes on the rows that their versions up to `at` were handed to their workflows. */
export type RecordHandOff = (entityType: EntityType, externalIds: readonly string[], at: Date) => Promise<void>;

const CHUNK = 1_000;

export function handOffMarks(orm: MikroORM): RecordHandOff {
  return async (entityType, externalIds, at) => {
    const spec = inboundSpecFor(entityType);
    const em = orm.em.fork();
    for (let i = 0; i < externalIds.length; i += CHUNK) {
      const chunk = externalIds.slice(i, i + CHUNK);
      const where = { ...spec.rowScope, externalId: { $in: chunk } } as FilterQuery<SyncFields>;
      await em.nativeUpdate(spec.entity, where, { handedOffAt: at });
    }
  };
}
