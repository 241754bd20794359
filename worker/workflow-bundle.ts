import { existsSync } from 'node:fs';
import path from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';

/** Written by `npm run build` (scripts/bundle-workflows.ts) next to the compiled code. */
export const WORKFLOW_BUNDLE_FILE = path.resolve(__dirname, '..', 'workflow-bundle.js');

export function workflowsPath(): string {
  return require.resolve('../workflows');
}

/**
 * The prebuilt workflow bundle when running compiled code (`node dist/worker/main.js`), so a restarted worker
 * polls at once instead of bundling for seconds first. From source (tsx) there is none: a bundle left by an
 * earlier build could hold older workflow code than the source, so the worker bundles at start.
 */
export function prebuiltWorkflowBundle(): WorkerOptions['workflowBundle'] {
  const compiled = path.extname(__filename) === '.js';
  return compiled && existsSync(WORKFLOW_BUNDLE_FILE) ? { codePath: WORKFLOW_BUNDLE_FILE } : undefined;
}
