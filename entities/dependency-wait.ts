import { EntitySchema } from '@mikro-orm/core';
import { bigintId, datetime } from './sync-fields';

/**
 * A workflow waiting for a record it depends on. When the dependency is processed, every waiter
 * registered under its key is signalled, so waits end in well under a second instead of a timer tick.
 */
export interface DependencyWait {
  id: number;
  /** Workflow id of the awaited record, e.g. `partner:P-42`. */
  dependencyKey: string;
  waiterWorkflowId: string;
  createdAt: Date;
}

export const DependencyWaitSchema = new EntitySchema<DependencyWait>({
  name: 'DependencyWait',
  tableName: 'dependency_waits',
  properties: {
    id: bigintId(),
    dependencyKey: { type: 'string', length: 255, index: true },
    waiterWorkflowId: { type: 'string', length: 255, index: true },
    createdAt: { ...datetime },
  },
  uniques: [{ properties: ['dependencyKey', 'waiterWorkflowId'] }],
});
