/** Build step: bundles the workflow code once, so production workers load it instead of bundling at start. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { PROJECT_ROOT } from '../config/config';
import { workflowsPath } from '../worker/workflow-bundle';

const OUTPUT = path.join(PROJECT_ROOT, 'dist', 'workflow-bundle.js');

async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: workflowsPath() });
  mkdirSync(path.dirname(OUTPUT), { recursive: true });
  writeFileSync(OUTPUT, code);
  console.log(`workflow bundle: ${path.relative(PROJECT_ROOT, OUTPUT)} (${Math.round(code.length / 1024)} KiB)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
