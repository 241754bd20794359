import type { EntityManager } from '@mikro-orm/knex';

const ALREADY_COMPLETE = 'Transaction query already complete';

/** Knex's promise of the transaction's outcome: it rejects with the error that ended the transaction. */
function executionOf(tx: EntityManager): Promise<unknown> | undefined {
  const context = tx.getTransactionContext<{ executionPromise?: Promise<unknown> }>();
  return context?.executionPromise;
}

/** The error that really ended the transaction, when `err` is only knex saying it was over already. */
async function causeOf(err: unknown, execution: Promise<unknown> | undefined): Promise<unknown> {
  if (!execution || !(err instanceof Error) || !err.message.includes(ALREADY_COMPLETE)) return err;
  const settled = execution.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  // The rejection is already there when BEGIN failed; never wait for a transaction that is still going.
  const cause = await Promise.race([
    settled,
    new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined))),
  ]);
  return cause ?? err;
}

/**
 * Runs `work` in one transaction of a fork of `em`. When the connection dies under BEGIN (the server went
 * away, a pooled connection is stale), knex may still hand out the transaction, already over (BEGIN's failure
 * and the hand-out race; seen under load in tests/integration/database-outage.test.ts): every statement in it
 * then fails with "Transaction query already complete", which names no cause. The error thrown here is
 * the one that ended the transaction (connection lost, server gone), so callers and the API can tell an
 * unavailable database (503) from a defect (500).
 */
export async function inTransaction<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  let execution: Promise<unknown> | undefined;
  try {
    return await em.fork().transactional((tx) => {
      execution = executionOf(tx as EntityManager);
      return work(tx as EntityManager);
    });
  } catch (err) {
    throw await causeOf(err, execution);
  }
}
