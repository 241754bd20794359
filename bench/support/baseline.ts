import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { goSignal, type baselineWorkflow } from './baseline-workflow';

const PARALLEL_STARTS = 32;

/**
 * Runs `count` no-op workflows (one local activity each), handed off by signal-with-start with the same
 * parallelism as the service's dispatcher, on their own task queue and worker; resolves with the rate at which
 * they completed, in workflows per second.
 */
export async function baselineRate(client: Client, temporalAddress: string, count: number): Promise<number> {
  const taskQueue = `baseline-${randomBytes(3).toString('hex')}`;
  const connection = await NativeConnection.connect({ address: temporalAddress });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: require.resolve('./baseline-workflow'),
    activities: { noop: async () => undefined },
  });
  const running = worker.run();
  try {
    const started = performance.now();
    const ids = Array.from({ length: count }, (_, i) => `${taskQueue}-${i}`);
    const startOne = async () => {
      for (let id = ids.shift(); id !== undefined; id = ids.shift()) {
        await client.workflow.signalWithStart<typeof baselineWorkflow, []>('baselineWorkflow', {
          workflowId: id,
          taskQueue,
          signal: goSignal,
          signalArgs: [],
        });
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_STARTS }, startOne));
    const query = `TaskQueue="${taskQueue}" AND ExecutionStatus="Completed"`;
    while ((await client.workflow.count(query)).count < count) await new Promise((r) => setTimeout(r, 100));
    return count / ((performance.now() - started) / 1000);
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
  }
}
