/** ApplicationFailure types the sync-back activities throw and the workflow tells apart. */
export const SYNC_BACK_FAILURE_TYPES = {
  /** Odoo refused the order (ValidationError, UserError, AccessError, bad credentials): not retried. */
  odooRejected: 'OdooRejected',
  orderNotFound: 'WebshopOrderNotFound',
} as const;
