export { inboundRecordWorkflow } from './inbound-record';
