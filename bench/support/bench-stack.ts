import globalSetup from '../../tests/support/global-setup';
import globalTeardown from '../../tests/support/global-teardown';
import { startTestService, type TestService, type TestServiceOptions } from '../../tests/support/service-harness';

/**
 * The same real stack the integration tests run on (MariaDB, PostgreSQL, a Temporal dev server, the API
 * and the worker in this process), for benchmarks.
 */
export async function withBenchStack<T>(
  options: TestServiceOptions,
  run: (service: TestService) => Promise<T>,
): Promise<T> {
  return withBenchServers(() => withService(options, run));
}

/** Prepares the shared servers (Temporal dev server, databases) for the duration of `run`. */
export async function withBenchServers<T>(run: () => Promise<T>): Promise<T> {
  await globalSetup();
  try {
    return await run();
  } finally {
    await globalTeardown();
  }
}

/** One service (its own database and task queue) on the shared servers. */
export async function withService<T>(
  options: TestServiceOptions,
  run: (service: TestService) => Promise<T>,
): Promise<T> {
  const service = await startTestService(options);
  try {
    return await run(service);
  } finally {
    await service.stop();
  }
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Counts the SQL statements the primary store runs while `fn` runs. */
export async function countQueries<T>(
  service: TestService,
  fn: () => Promise<T>,
): Promise<{ result: T; queries: number }> {
  const knex = (
    service.resources.orm.em as unknown as {
      getKnex(): { on(e: string, f: () => void): void; off(e: string, f: () => void): void };
    }
  ).getKnex();
  let queries = 0;
  const onQuery = () => void queries++;
  knex.on('query', onQuery);
  try {
    return { result: await fn(), queries };
  } finally {
    knex.off('query', onQuery);
  }
}
