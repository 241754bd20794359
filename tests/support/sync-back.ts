import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PartnerSchema } from '../../entities/partner';
import { ProductSchema } from '../../entities/product';
import { SaleOrderSchema } from '../../entities/sale-order';
import { ensureTemporalBinaries } from '../../runtime/temporal/binaries';
import { syncBackWorkflowId } from '../../workflows/contract';
import type { FakeOdoo, FakeOdooRequest } from './fake-odoo';
import { eventually, type TestService } from './service-harness';
import { testBackends } from './test-backends';

/** Unique per test run: workflow ids live in the suite's shared Temporal namespace. */
export const runId = () => randomBytes(3).toString('hex');

export function odooEnv(fake: FakeOdoo, protocol: 'jsonrpc' | 'json2' = 'jsonrpc'): Record<string, string> {
  return {
    ODOO_URL: fake.url,
    ODOO_DB: fake.db,
    ODOO_LOGIN: fake.login,
    ODOO_API_KEY: fake.apiKey,
    ODOO_PROTOCOL: protocol,
  };
}

/** Short waits and backoffs, so outages and retries play out in seconds. */
export const FAST_SYNC_BACK_ENV = {
  ODOO_TIMEOUT: '1s',
  ODOO_BREAKER_FAILURES: '3',
  ODOO_BREAKER_OPEN: '1s',
  ODOO_UNKNOWN_OUTCOME_SETTLE: '2s',
  SYNC_BACK_RETRY_INITIAL: '200ms',
  SYNC_BACK_RETRY_MAX: '1s',
  SYNC_BACK_ATTEMPT_TIMEOUT: '10s',
  DEPENDENCY_GRACE_PERIOD: '1s',
  LEGACY_LOOKUP_ATTEMPTS: '3',
  LEGACY_LOOKUP_MAX_INTERVAL: '2s',
  TOKEN_RATE_LIMIT_PER_MINUTE: '100000',
  // The create-only suites look at the quotation; sync-back-lifecycle.test.ts turns the confirm on.
  SYNC_BACK_CONFIRM: 'false',
};

/** Pushes records through the real inbound API and waits until they are processed. */
export async function pushAndProcess(
  service: TestService,
  kind: 'partners' | 'products',
  records: Record<string, unknown>[],
): Promise<void> {
  const token = await service.token(['odoo']);
  const res = await service.request('POST', `/api/v1/${kind}`, { token, body: { [kind]: records } });
  if (res.status !== 200 || !res.body.success) throw new Error(`push failed: ${JSON.stringify(res.body)}`);
  const ids = records.map((r) => r.external_id as string);
  await eventually(
    async () => {
      const em = service.resources.orm.em.fork();
      const where = { externalId: { $in: ids } };
      const rows = kind === 'partners' ? await em.find(PartnerSchema, where) : await em.find(ProductSchema, where);
      return rows.length === ids.length && rows.every((r) => r.processingState === 'processed') ? true : undefined;
    },
    30_000,
    `${kind} ${ids.join(', ')} processed`,
  );
}

/** A partner known to both Odoo (the fake) and the service, with its Odoo id. */
export async function seedPartner(service: TestService, fake: FakeOdoo, externalId: string): Promise<number> {
  const odooId = fake.seed('res.partner', { name: `Customer ${externalId}` });
  await pushAndProcess(service, 'partners', [
    { external_id: externalId, odoo_id: odooId, type: 'C', name: 'Customer' },
  ]);
  return odooId;
}

export async function seedProducts(service: TestService, fake: FakeOdoo, externalIds: string[]): Promise<number[]> {
  const odooIds = externalIds.map((id, i) =>
    fake.seed('product.product', { name: `Product ${id}`, default_code: id, list_price: 10 + i }),
  );
  await pushAndProcess(
    service,
    'products',
    externalIds.map((id, i) => ({ external_id: id, odoo_id: odooIds[i], name: `Product ${id}` })),
  );
  return odooIds;
}

export function webshopOrder(externalId: string, partner: string, products: string[], extra: object = {}) {
  return {
    external_id: externalId,
    partner_external_id: partner,
    name: `Web order ${externalId}`,
    currency: 'EUR',
    lines: products.map((product, i) => ({
      product_external_id: product,
      quantity: i + 1,
      price_unit: 12.5,
      discount: i === 0 ? 10 : null,
    })),
    ...extra,
  };
}

export async function postOrder(service: TestService, token: string, order: object) {
  return service.request('POST', '/api/v1/webshop/sale-orders', { token, body: order });
}

export async function queueStatus(service: TestService, token: string, externalId: string) {
  const res = await service.request('GET', `/api/v1/queue/status/sale_order/${encodeURIComponent(externalId)}`, {
    token,
  });
  return res.body;
}

export function untilState(service: TestService, token: string, externalId: string, state: string, timeoutMs = 30_000) {
  return eventually(
    async () => {
      const status = await queueStatus(service, token, externalId);
      return status?.state === state ? status : undefined;
    },
    timeoutMs,
    `${externalId} ${state}`,
  );
}

export async function storedOrder(service: TestService, externalId: string) {
  return service.resources.orm.em.fork().findOne(SaleOrderSchema, { direction: 'outbound', externalId });
}

/** The fake's request log for `sale.order`, optionally only the calls naming one order number. */
export function saleOrderCalls(fake: FakeOdoo, orderNumber?: string): FakeOdooRequest[] {
  return fake.requests.filter(
    (r) =>
      r.model === 'sale.order' && (orderNumber === undefined || JSON.stringify(r.args).includes(`"${orderNumber}"`)),
  );
}

/** The fake's log of `method` calls on one sale.order (action_confirm, action_cancel: the id in the args). */
export function orderActionCalls(fake: FakeOdoo, odooId: number, method: string): FakeOdooRequest[] {
  return fake.requests.filter(
    (r) => r.model === 'sale.order' && r.method === method && JSON.stringify(r.args).includes(`[${odooId}]`),
  );
}

export async function cancelOrder(service: TestService, token: string, externalId: string) {
  return service.request('POST', `/api/v1/webshop/sale-orders/${encodeURIComponent(externalId)}/cancel`, { token });
}

/** Odoo orders carrying the webshop order number. */
export function odooOrders(fake: FakeOdoo, orderNumber: string) {
  return fake.records('sale.order').filter((o) => o.client_order_ref === orderNumber);
}

export function syncBackHandle(service: TestService, externalId: string) {
  return service.resources.temporal.client.workflow.getHandle(syncBackWorkflowId(externalId));
}

/** With RECORD_HISTORIES=1, stores the workflow's history as a replay fixture. */
export function recordHistory(workflowId: string, file: string): void {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const json = execFileSync(ensureTemporalBinaries().cli, [
    'workflow',
    'show',
    '--workflow-id',
    workflowId,
    '--address',
    testBackends().temporalAddress,
    '--output',
    'json',
  ]);
  fs.writeFileSync(path.join(__dirname, '../fixtures/histories', file), json);
}
