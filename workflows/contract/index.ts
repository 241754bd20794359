/**
 * The Temporal contract: what the API, the activities, the worker's wiring and the workflows agree on.
 * Everything outside `workflows/` imports this module, never a workflow implementation.
 */
export * from './failure-types';
export * from './ids';
export * from './inbound-record';
export * from './odoo-pull';
export * from './sale-order-sync';
export * from './search-attributes';
export * from './signals';
