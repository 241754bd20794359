/** ApplicationFailure types the sync-back activities throw and the workflow tells apart. */
export const SYNC_BACK_FAILURE_TYPES = {
  /** Odoo refused the order (ValidationError, UserError, AccessError, bad credentials): not retried. */
  odooRejected: 'OdooRejected',
  orderNotFound: 'WebshopOrderNotFound',
} as const;

/** ApplicationFailure types the pull activities throw. */
export const PULL_FAILURE_TYPES = {
  /** Odoo refused the read for good (access rights, a field it does not have): the run ends at once. */
  odooRejected: 'OdooRejected',
  odooNotConfigured: 'OdooNotConfigured',
} as const;
