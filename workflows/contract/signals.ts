import * as wf from '@temporalio/workflow';

/** Odoo pushed a new version of the record (sent by the API with signal-with-start). */
export const recordChangedSignal = wf.defineSignal('recordChanged');
/** Operator: run lookups and processing again now (after a failure, or to cut a wait short). */
export const retrySignal = wf.defineSignal('retry');
/** A dependency the record waits for is now available; the argument is its workflow id. */
export const dependencyReadySignal = wf.defineSignal<[string]>('dependencyReady');
/**
 * Operator, on a failed webshop order: give up instead of retrying. The order is cancelled in Odoo if it was
 * created there (compensation: no orphan quotation is left), then marked cancelled.
 */
export const abandonSignal = wf.defineSignal('abandon');
/** The webshop cancelled the order (sent by the API with signal-with-start). */
export const cancelOrderSignal = wf.defineSignal('cancelOrder');
