import type { OdooOrderState, SaleOrderLine, SyncConflict } from '../../entities/sale-order';
import type { OdooClient, OdooValues } from '../../odoo/odoo-client';
import { OdooError } from '../../odoo/odoo-errors';

export const SALE_ORDER_MODEL = 'sale.order';

/** `sale.order` values of a webshop order; price and discount are left to Odoo's pricelist when not given. */
export function saleOrderValues(
  orderNumber: string,
  partnerId: number,
  lines: readonly SaleOrderLine[],
  productIds: ReadonlyMap<string, number>,
): OdooValues {
  return {
    partner_id: partnerId,
    client_order_ref: orderNumber,
    order_line: lines.map((line) => {
      const productId = productIds.get(line.productExternalId);
      if (productId === undefined) throw new Error(`No Odoo id for product ${line.productExternalId}`);
      return [
        0,
        0,
        {
          product_id: productId,
          product_uom_qty: line.quantity,
          ...(line.priceUnit === null ? {} : { price_unit: line.priceUnit }),
          ...(line.discount === null ? {} : { discount: line.discount }),
        },
      ];
    }),
  };
}

/** The Odoo order carrying the webshop order number, if there is one (the oldest, should there be several). */
export async function findOdooSaleOrder(odoo: OdooClient, orderNumber: string): Promise<number | undefined> {
  const ids = await odoo.search(SALE_ORDER_MODEL, [['client_order_ref', '=', orderNumber]], { order: 'id', limit: 1 });
  return ids[0];
}

/** Durable note that a create was sent and its outcome is not known yet. */
export interface CreateMarker {
  /** When the last create whose outcome is unknown was sent; null when none. */
  startedAt: Date | null;
  set(at: Date): Promise<void>;
  clear(): Promise<void>;
}

/** A create (or confirm, cancel) sent earlier may still land in Odoo; try again after `retryInMs`. */
export class CreateOutcomePending extends Error {
  constructor(
    readonly retryInMs: number,
    action: 'create' | 'confirm' | 'cancel' | 'update' = 'create',
  ) {
    super(
      action === 'create'
        ? `An earlier create of this order got no answer; waiting ${Math.ceil(retryInMs / 1000)} s for it to show up in Odoo before creating again`
        : `An earlier ${action} of this order got no answer; waiting ${Math.ceil(retryInMs / 1000)} s for it to show up in Odoo before sending it again`,
    );
  }
}

/**
 * Creates the order in Odoo unless it is there already. Searches by the webshop order number first; after
 * a create whose answer was lost it searches again at once, and the marker keeps any later attempt from
 * creating again until `settleMs` have passed since that create was sent, in case Odoo is still running it.
 */
export async function createSaleOrderOnce(
  odoo: OdooClient,
  orderNumber: string,
  values: OdooValues,
  marker: CreateMarker,
  settleMs: number,
  now: () => Date = () => new Date(),
): Promise<{ odooId: number; created: boolean }> {
  const existing = await findOdooSaleOrder(odoo, orderNumber);
  if (existing !== undefined) return { odooId: existing, created: false };
  if (marker.startedAt) {
    const waited = now().getTime() - marker.startedAt.getTime();
    if (waited < settleMs) throw new CreateOutcomePending(settleMs - waited);
  }
  await marker.set(now());
  try {
    return { odooId: await odoo.create(SALE_ORDER_MODEL, values), created: true };
  } catch (err) {
    if (!(err instanceof OdooError && err.kind === 'unknown_outcome')) {
      await marker.clear();
      throw err;
    }
    const landed = await findOdooSaleOrder(odoo, orderNumber);
    if (landed !== undefined) return { odooId: landed, created: true };
    throw err;
  }
}

/** What the sync-back reads of an Odoo order before it acts on it (one `search_read`). */
export interface OdooOrderSnapshot {
  state: OdooOrderState;
  invoiceStatus: string | false;
}

const CONFIRMED: readonly OdooOrderState[] = ['sale', 'done'];

/** The order's state in Odoo; undefined when Odoo has no such order (deleted). */
export async function readOdooOrder(odoo: OdooClient, odooId: number): Promise<OdooOrderSnapshot | undefined> {
  const [row] = await odoo.searchRead(SALE_ORDER_MODEL, [['id', '=', odooId]], ['state', 'invoice_status'], {
    limit: 1,
  });
  if (!row) return undefined;
  return { state: row.state as OdooOrderState, invoiceStatus: (row.invoice_status as string | false) ?? false };
}

function describeOdooError(err: OdooError): string {
  const name = err.odooName ? err.odooName.slice(err.odooName.lastIndexOf('.') + 1) : 'Odoo error';
  return `${name}: ${err.message}`;
}

export type LifecycleResult =
  | { state: 'confirmed' | 'cancelled'; odooState: OdooOrderState | null; sent: boolean }
  | { state: 'conflict'; odooState: OdooOrderState | null; message: string; conflicts: SyncConflict[] };

/**
 * Confirms the Odoo order (`action_confirm`) unless it is confirmed already: reads its state first, and again
 * after an answer that was lost or a refusal (an earlier confirm may have landed meanwhile), so the confirm is
 * sent only while the order is a quotation. `beforeSend` records that it is about to be sent. Odoo's refusals
 * (an archived product) reject with the OdooError; an order cancelled in Odoo is a conflict. Right after the
 * create (`knownDraft`) the first read is skipped: should someone have confirmed it in Odoo meanwhile, Odoo
 * refuses the confirm and the read after the refusal finds the order confirmed.
 */
export async function confirmSaleOrderOnce(
  odoo: OdooClient,
  odooId: number,
  marker: CreateMarker,
  settleMs: number,
  now: () => Date = () => new Date(),
  /** The order was just created here (a draft) and nothing was sent since: the first read is skipped. */
  knownDraft = false,
): Promise<LifecycleResult> {
  const before: OdooOrderSnapshot | undefined = knownDraft
    ? { state: 'draft', invoiceStatus: false }
    : await readOdooOrder(odoo, odooId);
  const settled = (snapshot: OdooOrderSnapshot | undefined, sent: boolean): LifecycleResult | undefined => {
    if (!snapshot) {
      return {
        state: 'conflict',
        odooState: null,
        message: `sale.order ${odooId} no longer exists in Odoo`,
        conflicts: [{ field: 'state', webshop: 'sale', odoo: null }],
      };
    }
    if (CONFIRMED.includes(snapshot.state)) return { state: 'confirmed', odooState: snapshot.state, sent };
    if (snapshot.state === 'cancel') {
      return {
        state: 'conflict',
        odooState: 'cancel',
        message: `sale.order ${odooId} was cancelled in Odoo; it cannot be confirmed`,
        conflicts: [{ field: 'state', webshop: 'sale', odoo: 'cancel' }],
      };
    }
    return undefined;
  };
  const done = settled(before, false);
  if (done) return done;
  await markSending(marker, settleMs, now, 'confirm');
  try {
    await odoo.call(SALE_ORDER_MODEL, 'action_confirm', [[odooId]]);
    return { state: 'confirmed', odooState: 'sale', sent: true };
  } catch (err) {
    if (!(err instanceof OdooError) || err.kind === 'transient') {
      await marker.clear();
      throw err;
    }
    const after = settled(await readOdooOrder(odoo, odooId), true);
    if (after?.state === 'confirmed') return after;
    if (err.kind === 'permanent') await marker.clear();
    throw err;
  }
}

/**
 * Before an action is sent: an earlier one whose answer was lost (the marker) is given `settleMs` to show up
 * in Odoo, so a retry reading the order before that action committed does not send it a second time.
 */
async function markSending(
  marker: CreateMarker,
  settleMs: number,
  now: () => Date,
  action: 'confirm' | 'cancel' | 'update',
): Promise<void> {
  if (marker.startedAt) {
    const waited = now().getTime() - marker.startedAt.getTime();
    if (waited < settleMs) throw new CreateOutcomePending(settleMs - waited, action);
  }
  await marker.set(now());
}

/**
 * Cancels the Odoo order (`action_cancel`) unless it is cancelled already, read first as for the confirm.
 * A refusal (delivered, invoiced, locked) is a conflict carrying Odoo's message and what differs.
 */
export async function cancelSaleOrderOnce(
  odoo: OdooClient,
  odooId: number,
  marker: CreateMarker,
  settleMs: number,
  now: () => Date = () => new Date(),
): Promise<LifecycleResult> {
  const before = await readOdooOrder(odoo, odooId);
  if (!before) return { state: 'cancelled', odooState: null, sent: false };
  if (before.state === 'cancel') return { state: 'cancelled', odooState: 'cancel', sent: false };
  await markSending(marker, settleMs, now, 'cancel');
  try {
    // Without it Odoo may answer with its cancel wizard (an action to show) instead of cancelling.
    await odoo.call(SALE_ORDER_MODEL, 'action_cancel', [[odooId]], { context: { disable_cancel_warning: true } });
    return { state: 'cancelled', odooState: 'cancel', sent: true };
  } catch (err) {
    if (!(err instanceof OdooError) || err.kind === 'transient') {
      await marker.clear();
      throw err;
    }
    const after = await readOdooOrder(odoo, odooId);
    if (!after || after.state === 'cancel')
      return { state: 'cancelled', odooState: after ? 'cancel' : null, sent: true };
    if (err.kind !== 'permanent') throw err;
    await marker.clear();
    return {
      state: 'conflict',
      odooState: after.state,
      message: `Odoo refused the cancel: ${describeOdooError(err)}`,
      conflicts: await cancelConflicts(odoo, odooId, after),
    };
  }
}

/** What stands in the way of a cancel: Odoo's state, an invoice, delivered quantities. */
async function cancelConflicts(odoo: OdooClient, odooId: number, snapshot: OdooOrderSnapshot): Promise<SyncConflict[]> {
  const conflicts: SyncConflict[] = [{ field: 'state', webshop: 'cancel', odoo: snapshot.state }];
  if (snapshot.invoiceStatus === 'invoiced') {
    conflicts.push({ field: 'invoice_status', webshop: 'no', odoo: 'invoiced' });
  }
  const delivered = await odoo.searchRead(
    'sale.order.line',
    [
      ['order_id', '=', odooId],
      ['qty_delivered', '>', 0],
    ],
    ['qty_delivered'],
  );
  const qty = delivered.reduce(
    (sum, line) => sum + (typeof line.qty_delivered === 'number' ? line.qty_delivered : 0),
    0,
  );
  if (qty > 0) conflicts.push({ field: 'qty_delivered', webshop: 0, odoo: qty });
  return conflicts;
}

/**
 * Writes a planned change to the Odoo order (header values, lines as one2many commands). The caller planned it from
 * Odoo's version read just before, so after a lost answer the next attempt reads again and finds it landed (nothing
 * left to write); the marker keeps that attempt from reading before `settleMs` have passed, in case Odoo is still
 * running the write. Odoo's refusal (a line it will not delete, a locked order) rejects with the OdooError.
 */
export async function writeSaleOrderOnce(
  odoo: OdooClient,
  odooId: number,
  values: OdooValues,
  marker: CreateMarker,
  settleMs: number,
  now: () => Date = () => new Date(),
): Promise<void> {
  await markSending(marker, settleMs, now, 'update');
  try {
    await odoo.write(SALE_ORDER_MODEL, [odooId], values);
  } catch (err) {
    if (!(err instanceof OdooError && err.kind === 'unknown_outcome')) await marker.clear();
    throw err;
  }
}

/** Waits out a write whose answer was lost before Odoo's version is read again; see writeSaleOrderOnce. */
export function settlePendingWrite(marker: CreateMarker, settleMs: number, now: () => Date = () => new Date()): void {
  if (!marker.startedAt) return;
  const waited = now().getTime() - marker.startedAt.getTime();
  if (waited < settleMs) throw new CreateOutcomePending(settleMs - waited, 'update');
}
