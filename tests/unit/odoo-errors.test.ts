import { OdooError, classifyOdooError, odooError } from '../../odoo/odoo-errors';

describe('classifyOdooError', () => {
  it.each([
    'odoo.exceptions.ValidationError',
    'odoo.exceptions.UserError',
    'odoo.exceptions.AccessError',
    'odoo.exceptions.AccessDenied',
    'odoo.exceptions.MissingError',
    'ValidationError',
    'builtins.ValueError',
  ])('treats %s as permanent', (name) => {
    expect(classifyOdooError({ type: 'server', name, message: 'nope' })).toBe('permanent');
  });

  it('trusts the exception name over the HTTP status', () => {
    expect(classifyOdooError({ type: 'server', name: 'odoo.exceptions.UserError', status: 500 })).toBe('permanent');
  });

  it.each([
    { name: 'psycopg2.errors.SerializationFailure' },
    { name: 'psycopg2.extensions.TransactionRollbackError' },
    { name: 'builtins.Exception', message: 'could not serialize access due to concurrent update' },
    { message: 'ERROR: could not serialize access due to concurrent update', status: 500 },
  ])('treats a concurrency conflict as transient: %o', (failure) => {
    expect(classifyOdooError({ type: 'server', ...failure })).toBe('transient');
  });

  it.each([400, 401, 403, 404, 409, 422])('treats HTTP %i as permanent', (status) => {
    expect(classifyOdooError({ type: 'server', status })).toBe('permanent');
  });

  it.each([408, 429, 500, 502, 503, 504])('treats HTTP %i as transient', (status) => {
    expect(classifyOdooError({ type: 'server', status })).toBe('transient');
  });

  it('treats an unrecognised exception reported over JSON-RPC like a JSON-2 500: transient', () => {
    expect(classifyOdooError({ type: 'server', name: 'builtins.RuntimeError', message: 'boom' })).toBe('transient');
  });

  it('treats a connection failure before the request was written as transient', () => {
    expect(classifyOdooError({ type: 'network', code: 'ECONNREFUSED', sent: false })).toBe('transient');
    expect(classifyOdooError({ type: 'network', code: 'ECONNRESET', sent: false })).toBe('transient');
  });

  it('treats a connection drop after the request was written as unknown_outcome', () => {
    expect(classifyOdooError({ type: 'network', code: 'ECONNRESET', sent: true })).toBe('unknown_outcome');
  });

  it('treats a timeout as unknown_outcome once the request was written, transient before', () => {
    expect(classifyOdooError({ type: 'timeout', sent: true })).toBe('unknown_outcome');
    expect(classifyOdooError({ type: 'timeout', sent: false })).toBe('transient');
  });
});

describe('odooError', () => {
  it('builds an OdooError carrying the kind, the Odoo exception name and the status', () => {
    const err = odooError(
      { type: 'server', name: 'odoo.exceptions.ValidationError', message: 'Invalid VAT', status: 422 },
      'Invalid VAT',
      { debug: 'Traceback ...' },
    );
    expect(err).toBeInstanceOf(OdooError);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      name: 'OdooError',
      kind: 'permanent',
      odooName: 'odoo.exceptions.ValidationError',
      status: 422,
      message: 'Invalid VAT',
      debug: 'Traceback ...',
    });
  });

  it('keeps the underlying error as the cause of a network failure', () => {
    const cause = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const err = odooError({ type: 'network', code: 'ECONNRESET', sent: true }, 'connection failed', { cause });
    expect(err.kind).toBe('unknown_outcome');
    expect(err.odooName).toBeUndefined();
    expect(err.cause).toBe(cause);
  });
});
