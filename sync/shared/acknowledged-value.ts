import { numbersEqual } from './change-detection';

/** What the feed knows of a value the webshop consumes (a stock quantity, a price). */
export interface AcknowledgedValue {
  /** The value the webshop last acknowledged; null until it first does. */
  acknowledged: number | null;
  acknowledgedAt: Date | null;
  /** When the feed last served the row. */
  servedAt: Date | null;
}

/**
 * Whether `value` is news to the webshop: anything but the value it last acknowledged is, and so is that value
 * itself once the feed has served another one since the acknowledgement, which the webshop may have applied
 * on reading it.
 */
export function isNewsToWebshop(value: number, known: AcknowledgedValue): boolean {
  if (known.acknowledged === null || !numbersEqual(value, known.acknowledged)) return true;
  return known.servedAt !== null && (known.acknowledgedAt === null || known.servedAt > known.acknowledgedAt);
}
