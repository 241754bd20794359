/** The raw baseline of the inbound benchmark: what one signal-with-start workflow with one local activity costs. */
import * as wf from '@temporalio/workflow';

export const goSignal = wf.defineSignal('go');

const { noop } = wf.proxyLocalActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '30 seconds' });

export async function baselineWorkflow(): Promise<void> {
  wf.setHandler(goSignal, () => undefined);
  await noop();
}
