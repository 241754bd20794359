import type { MikroORM } from '@mikro-orm/core';
import { SaleOrderSchema } from '../../entities/sale-order';
import type { Logger } from '../../observability/logger';
import type { SyncBackStarter } from './starter';

const BATCH = 500;
const PARALLEL_CALLS = 16;

/**
 * Starts the sync-back of webshop orders still `pending` a while after they were stored: the ones whose
 * workflow could not be started (Temporal unreachable, or a crash between the commit and the start). An order
 * merely queued behind a backlog already has its workflow, which the start leaves alone (no history event);
 * only an order tried before (a changed repost of a failed order) is signalled, in case its signal was lost.
 * So is an order in Odoo with a change still to merge (processing state `pending`: a repost, or Odoo's version).
 */
export class SyncBackSweeper {
  constructor(
    private readonly orm: MikroORM,
    private readonly starter: SyncBackStarter,
    private readonly log: Logger,
    private readonly options: { minAgeMs: number },
  ) {}

  /** One pass; returns how many orders were handed to Temporal. */
  async sweep(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.options.minAgeMs);
    const rows = await this.orm.em.fork().find(
      SaleOrderSchema,
      {
        direction: 'outbound',
        updatedAt: { $lte: before },
        $or: [{ syncState: 'pending' }, { processingState: 'pending', odooId: { $ne: null } }],
      },
      {
        fields: ['externalId', 'syncAttempts', 'retryCount', 'odooId'],
        limit: BATCH,
        orderBy: { updatedAt: 'asc' },
      },
    );
    const queue = [...rows];
    let handed = 0;
    let unreachable = false;
    const run = async () => {
      for (let row = queue.shift(); row !== undefined && !unreachable; row = queue.shift()) {
        const triedBefore = row.syncAttempts > 0 || row.retryCount > 0 || row.odooId !== null;
        if (await this.starter.start(row.externalId, { changed: triedBefore })) handed++;
        else unreachable = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_CALLS, queue.length) }, run));
    if (rows.length) this.log.info({ handed, pending: rows.length }, 'pending webshop orders handed off');
    return handed;
  }
}
