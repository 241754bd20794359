import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { EntityType } from '../entities/processing-state';
import { dependencyKey } from '../sync/inbound/dependency-check';
import type { InboundDispatcher } from '../sync/inbound/dispatcher';
import type { DependencyRef } from '../sync/inbound/spec';
import type { LegacyDirectory } from '../sync/legacy/legacy-lookup';
import { createStubsFromLegacy } from '../sync/legacy/stub-factory';
import { parseInboundWorkflowId } from '../workflows/contract';
import { wakeWaiters } from './inbound-record';

export interface LegacyFallbackDeps {
  orm: MikroORM;
  temporal: Client;
  legacy: LegacyDirectory;
  dispatcher: InboundDispatcher;
}

export interface LegacyFallbackResult {
  stubbed: string[];
  notFound: string[];
  /** Why the legacy database could not answer; the workflow then waits and asks again, without counting it. */
  unavailable: string | null;
}

function toRef(key: string): DependencyRef {
  const parsed = parseInboundWorkflowId(key);
  if (!parsed) throw new Error(`Not a dependency key: ${key}`);
  return { entityType: parsed.entityType as EntityType, externalId: parsed.externalId };
}

export function legacyFallbackActivities({ orm, temporal, legacy, dispatcher }: LegacyFallbackDeps) {
  return {
    /**
     * Looks the missing dependencies up in the legacy database and creates a stub for each one found.
     * Each stub gets its own workflow (so it is visible and reported stale if never upgraded), and every
     * record waiting for it is woken.
     */
    async resolveFromLegacy(awaitingOn: string[]): Promise<LegacyFallbackResult> {
      const em = orm.em.fork() as EntityManager;
      const outcome = await createStubsFromLegacy(em, legacy, awaitingOn.map(toRef));
      for (const ref of outcome.available) {
        await dispatcher.dispatch(ref.entityType, [ref.externalId]);
        await wakeWaiters(em, temporal, dependencyKey(ref));
      }
      if (outcome.unavailable) log.warn('legacy database unavailable; will retry', { error: outcome.unavailable });
      return {
        stubbed: outcome.available.map(dependencyKey),
        notFound: outcome.notFound.map(dependencyKey),
        unavailable: outcome.unavailable,
      };
    },
  };
}
