import { ApiTokenSchema } from './api-token';
import { DependencyWaitSchema } from './dependency-wait';
import { PartnerSchema } from './partner';
import { PricelistItemSchema } from './pricelist-item';
import { ProductSchema } from './product';
import { PullWatermarkSchema } from './pull-watermark';
import { PurchaseOrderLineSchema, PurchaseOrderSchema } from './purchase-order';
import { SaleOrderLineSchema, SaleOrderSchema } from './sale-order';
import { StockSchema } from './stock';
import { SyncResolutionSchema } from './sync-resolution';
import { SyncRunSchema } from './sync-run';
import { LegacyPartnerSchema } from './legacy/legacy-partner';
import { LegacyProductSchema } from './legacy/legacy-product';

export const primaryEntities = [
  ProductSchema,
  PartnerSchema,
  SaleOrderSchema,
  SaleOrderLineSchema,
  StockSchema,
  PricelistItemSchema,
  PurchaseOrderSchema,
  PurchaseOrderLineSchema,
  ApiTokenSchema,
  DependencyWaitSchema,
  SyncRunSchema,
  PullWatermarkSchema,
  SyncResolutionSchema,
];

export const legacyEntities = [LegacyPartnerSchema, LegacyProductSchema];
