import { EntitySchema } from '@mikro-orm/core';
import { datetime } from './sync-fields';

/**
 * How far the pull of one entity type has read Odoo: every record up to Odoo's `(write_date, id)` position is
 * imported. Written by the pull; read by the overview and the `pull_lag_seconds` metric.
 */
export interface PullWatermark {
  entityType: string;
  /** Odoo's `write_date` text, `YYYY-MM-DD HH:MM:SS` (UTC), compared as Odoo compares it. */
  writeDate: string;
  odooId: number;
  /** The time up to which everything written in Odoo is known read: the lag is now minus this. */
  readUpTo: Date | null;
  updatedAt: Date;
}

export const PullWatermarkSchema = new EntitySchema<PullWatermark>({
  name: 'PullWatermark',
  tableName: 'pull_watermarks',
  properties: {
    entityType: { type: 'string', length: 32, primary: true },
    writeDate: { type: 'string', length: 19 },
    odooId: { type: 'integer' },
    readUpTo: { ...datetime, nullable: true },
    updatedAt: { ...datetime },
  },
});
