import type { EntitySchema } from '@mikro-orm/core';
import { ApiTokenSchema, type ApiToken } from './api-token';
import { DependencyWaitSchema, type DependencyWait } from './dependency-wait';
import { PartnerSchema, type Partner } from './partner';
import { PricelistItemSchema, type PricelistItem } from './pricelist-item';
import { ProductSchema, type Product } from './product';
import {
  PurchaseOrderLineSchema,
  PurchaseOrderSchema,
  type PurchaseOrder,
  type PurchaseOrderLine,
} from './purchase-order';
import { SaleOrderLineSchema, SaleOrderSchema, type SaleOrder, type SaleOrderLine } from './sale-order';
import { StockSchema, type Stock } from './stock';
import { SyncResolutionSchema, type SyncResolution } from './sync-resolution';
import { SyncRunSchema, type SyncRun } from './sync-run';

export interface ExactKeyColumns {
  entity: EntitySchema<never>;
  properties: readonly string[];
}

const keys = <T>(entity: EntitySchema<T>, properties: readonly (keyof T & string)[]): ExactKeyColumns => ({
  entity: entity as unknown as EntitySchema<never>,
  properties,
});

/**
 * The string columns that hold identifiers: external ids, order numbers, pricelist, supplier and
 * purchase-order keys, dependency keys, workflow ids and token hashes. They compare bytes, so `Case-1` and
 * `case-1`, `café` and `cafe`, or two emoji are different keys, as they are to Odoo, the webshop and Temporal.
 *
 * MikroORM 6 has no per-column collation option, so the collation is not in the property declarations: on
 * MySQL/MariaDB these columns are `utf8mb4_bin` (migration `Migration20261202020000-exact-keys`; a new key
 * column needs the same in its migration), and on the embedded SQLite store every column compares with
 * BINARY, SQLite's default. MikroORM's schema diff does not read column collations, so it stays clean.
 * tests/integration/exact-keys.test.ts checks this list against both stores.
 */
export const EXACT_KEY_COLUMNS: readonly ExactKeyColumns[] = [
  keys<ApiToken>(ApiTokenSchema, ['tokenHash']),
  keys<DependencyWait>(DependencyWaitSchema, ['dependencyKey', 'waiterWorkflowId']),
  keys<Partner>(PartnerSchema, ['externalId', 'parentExternalId']),
  keys<PricelistItem>(PricelistItemSchema, ['itemKey', 'pricelistId', 'productExternalId']),
  // default_code is Odoo's internal reference of the product.
  keys<Product>(ProductSchema, ['externalId', 'defaultCode']),
  keys<PurchaseOrder>(PurchaseOrderSchema, ['externalId', 'name', 'vendorExternalId', 'sourceProductExternalId']),
  keys<PurchaseOrderLine>(PurchaseOrderLineSchema, ['productExternalId']),
  keys<SaleOrder>(SaleOrderSchema, ['externalId', 'partnerExternalId']),
  keys<SaleOrderLine>(SaleOrderLineSchema, ['productExternalId']),
  keys<Stock>(StockSchema, ['externalId', 'supplierExternalId', 'productExternalId']),
  keys<SyncRun>(SyncRunSchema, ['workflowId']),
  keys<SyncResolution>(SyncResolutionSchema, ['externalId', 'workflowId']),
];
