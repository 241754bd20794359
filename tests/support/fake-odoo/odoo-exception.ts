/** A Python exception as the fake Odoo raises it; each protocol serialises it its own way. */
export class OdooException extends Error {
  constructor(
    readonly odooName: string,
    message: string,
    /** Set when JSON-2 answers this exception with a status other than the one its class gets. */
    readonly json2Status?: number,
  ) {
    super(message);
  }

  get status(): number {
    if (this.json2Status !== undefined) return this.json2Status;
    const short = this.odooName.slice(this.odooName.lastIndexOf('.') + 1);
    switch (short) {
      case 'AccessDenied':
      case 'Unauthorized':
        return 401;
      case 'AccessError':
      case 'Forbidden':
        return 403;
      case 'NotFound':
        return 404;
      case 'UserError':
      case 'ValidationError':
      case 'MissingError':
      case 'RedirectWarning':
        return 422;
      default:
        return 500;
    }
  }

  get debug(): string {
    return `Traceback (most recent call last):\n  File "fake-odoo", line 1, in <module>\n${this.odooName}: ${this.message}\n`;
  }
}

export const validationError = (message: string) => new OdooException('odoo.exceptions.ValidationError', message);
export const userError = (message: string) => new OdooException('odoo.exceptions.UserError', message);
export const missingError = (message: string) => new OdooException('odoo.exceptions.MissingError', message);
export const accessDenied = () => new OdooException('odoo.exceptions.AccessDenied', 'Access Denied');
export const typeError = (message: string) => new OdooException('builtins.TypeError', message);
export const valueError = (message: string) => new OdooException('builtins.ValueError', message);

/** How Python's repr() shows a JSON value, for messages that quote the caller's input. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}
