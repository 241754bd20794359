export const PROCESSING_STATES = [
  'pending',
  'processing',
  'processed',
  'failed',
  'awaiting_dependency',
  'stub',
] as const;
export type ProcessingState = (typeof PROCESSING_STATES)[number];

export const ENTITY_TYPES = ['product', 'partner', 'sale_order', 'stock', 'purchase_order'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];
