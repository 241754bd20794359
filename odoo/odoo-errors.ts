/**
 * - permanent: Odoo refused the call; repeating it gives the same answer.
 * - transient: the call did not take effect; it may be repeated as is.
 * - unknown_outcome: the request reached Odoo but the answer was lost, so a create may have been
 *   committed; search for the record before repeating it.
 */
export type OdooErrorKind = 'permanent' | 'transient' | 'unknown_outcome';

/** What went wrong, as far as the transport can tell. */
export type OdooFailure =
  /** Odoo, or a proxy in front of it, answered with an error. */
  | { type: 'server'; name?: string; message?: string; status?: number }
  /** The connection failed; `sent` tells whether the whole request had been written. */
  | { type: 'network'; code?: string; sent: boolean }
  | { type: 'timeout'; sent: boolean };

export class OdooError extends Error {
  override name = 'OdooError';
  readonly kind: OdooErrorKind;
  /** The Python exception Odoo reported, e.g. `odoo.exceptions.ValidationError`. */
  readonly odooName: string | undefined;
  /** HTTP status of the answer, when there was one. */
  readonly status: number | undefined;
  /** Odoo's traceback, when it sent one. */
  readonly debug: string | undefined;

  constructor(
    message: string,
    details: { kind: OdooErrorKind; odooName?: string; status?: number; debug?: string; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = details.kind;
    this.odooName = details.odooName;
    this.status = details.status;
    this.debug = details.debug;
  }
}

const PERMANENT_NAMES = new Set([
  'ValidationError',
  'UserError',
  'AccessError',
  'AccessDenied',
  'MissingError',
  'RedirectWarning',
  // Programming errors in the call (unknown field, method or model, wrong arguments).
  'AttributeError',
  'KeyError',
  'TypeError',
  'ValueError',
]);

const CONCURRENCY_NAMES = new Set([
  'SerializationFailure',
  'TransactionRollbackError',
  'DeadlockDetected',
  'LockNotAvailable',
]);
const CONCURRENCY_MESSAGE = /could not serialize access|deadlock detected|could not obtain lock/i;

function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

export function classifyOdooError(failure: OdooFailure): OdooErrorKind {
  switch (failure.type) {
    case 'network':
    case 'timeout':
      return failure.sent ? 'unknown_outcome' : 'transient';
    case 'server': {
      const short = failure.name ? lastSegment(failure.name) : undefined;
      if ((short && CONCURRENCY_NAMES.has(short)) || CONCURRENCY_MESSAGE.test(failure.message ?? ''))
        return 'transient';
      if (short && PERMANENT_NAMES.has(short)) return 'permanent';
      const status = failure.status;
      if (status === 408 || status === 429) return 'transient';
      if (status !== undefined && status >= 400 && status < 500) return 'permanent';
      // JSON-RPC reports every exception with HTTP 200; JSON-2 sends the same unrecognised ones as 500.
      return 'transient';
    }
  }
}

export function odooError(
  failure: OdooFailure,
  message: string,
  extra: { debug?: string; cause?: unknown } = {},
): OdooError {
  return new OdooError(message, {
    kind: classifyOdooError(failure),
    odooName: failure.type === 'server' ? failure.name : undefined,
    status: failure.type === 'server' ? failure.status : undefined,
    ...extra,
  });
}
