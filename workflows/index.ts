export { inboundRecordWorkflow } from './inbound-record';
export { odooPullWorkflow } from './odoo-pull';
export { saleOrderSyncWorkflow } from './sale-order-sync';
