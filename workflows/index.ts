export { inboundRecordWorkflow } from './inbound-record';
export { saleOrderSyncWorkflow } from './sale-order-sync';
