import type { MikroORM } from '@mikro-orm/core';
import { SqlEntityManager } from '@mikro-orm/postgresql';
import type { PartnerType } from '../../entities/partner';
import { odooIdFrom, parseLegacyJson, partnerTypeFrom, productContextFrom } from './legacy-json';

/**
 * Answer of a legacy lookup. `unavailable`: the legacy database could not answer now, so the caller keeps
 * waiting and asks again later. `disabled`: no legacy database is configured, which the waiting logic treats
 * like `not_found`.
 */
export type LegacyLookup<T> =
  | { status: 'found'; record: T }
  | { status: 'not_found' }
  | { status: 'unavailable'; error: string }
  | { status: 'disabled' };

export interface LegacyPartnerStub {
  externalId: string;
  odooId: number | null;
  type: PartnerType | null;
  /** Parsed `json_data`; `{}` when it is malformed or not an object. */
  data: Record<string, unknown>;
}

export interface LegacyProductStub {
  externalId: string;
  odooId: number | null;
  context: string | null;
  /** Parsed `json_data`; `{}` when it is malformed or not an object. */
  data: Record<string, unknown>;
}

interface LegacyRow {
  external_id: string;
  odoo_id: unknown;
  json_data: string | null;
  context?: string | null;
}

export interface LegacyDirectoryOptions {
  /**
   * Client-side limit on a query once it has a connection (a dead network never trips statement_timeout).
   * Getting the connection is bounded separately by the pool's acquire timeout.
   */
  timeoutMs?: number;
}

// `json_data::text` makes json, jsonb and text columns read the same way. Rows are ordered by id so that,
// should the legacy table hold an external id twice, the row with the highest id wins deterministically.
const PARTNER_SQL =
  'select external_id, odoo_id, json_data::text as json_data from partner where external_id = any(?::text[]) order by id';
const PRODUCT_SQL =
  'select external_id, odoo_id, json_data::text as json_data, context from product where external_id = any(?::text[]) order by id';

function toPartnerStub(row: LegacyRow): LegacyPartnerStub {
  const data = parseLegacyJson(row.json_data);
  return { externalId: row.external_id, odooId: odooIdFrom(row.odoo_id), type: partnerTypeFrom(data), data };
}

function toProductStub(row: LegacyRow): LegacyProductStub {
  const data = parseLegacyJson(row.json_data);
  return {
    externalId: row.external_id,
    odooId: odooIdFrom(row.odoo_id),
    context: productContextFrom(row.context ?? null, data),
    data,
  };
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // Node reports a failed multi-address connect as an AggregateError with an empty message.
  const inner =
    err instanceof AggregateError ? err.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))) : [];
  const code = (err as { code?: unknown }).code;
  const message = err.message || inner.join('; ') || (typeof code === 'string' ? code : err.name);
  // Knex words a connect timeout as a full pool; say what it means for a silent or unreachable server.
  return err.name === 'KnexTimeoutError' ? `timed out (${message})` : message;
}

/** Read-only lookups of partners and products in the legacy database, used to create stubs. */
export class LegacyDirectory {
  private readonly timeoutMs: number;

  constructor(
    private readonly orm: MikroORM | undefined,
    options: LegacyDirectoryOptions = {},
  ) {
    if (orm && !(orm.em instanceof SqlEntityManager)) {
      throw new Error('the legacy ORM must use an SQL (PostgreSQL) driver');
    }
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  get enabled(): boolean {
    return this.orm !== undefined;
  }

  async findLegacyPartner(externalId: string): Promise<LegacyLookup<LegacyPartnerStub>> {
    return (await this.findLegacyPartners([externalId])).get(externalId)!;
  }

  async findLegacyProduct(externalId: string): Promise<LegacyLookup<LegacyProductStub>> {
    return (await this.findLegacyProducts([externalId])).get(externalId)!;
  }

  /** One query for all ids; the map has exactly one answer per distinct requested id. */
  findLegacyPartners(externalIds: readonly string[]): Promise<Map<string, LegacyLookup<LegacyPartnerStub>>> {
    return this.lookup(externalIds, PARTNER_SQL, toPartnerStub);
  }

  /** One query for all ids; the map has exactly one answer per distinct requested id. */
  findLegacyProducts(externalIds: readonly string[]): Promise<Map<string, LegacyLookup<LegacyProductStub>>> {
    return this.lookup(externalIds, PRODUCT_SQL, toProductStub);
  }

  private async lookup<T>(
    externalIds: readonly string[],
    sql: string,
    toStub: (row: LegacyRow) => T,
  ): Promise<Map<string, LegacyLookup<T>>> {
    const ids = [...new Set(externalIds)];
    const answers = new Map<string, LegacyLookup<T>>();
    if (ids.length === 0) return answers;
    if (!this.orm) {
      for (const id of ids) answers.set(id, { status: 'disabled' });
      return answers;
    }

    let rows: LegacyRow[];
    try {
      rows = await this.query(this.orm, sql, ids);
    } catch (err) {
      // Any failure (refused connection, pool timeout, statement timeout, even a changed legacy schema) means
      // the legacy store cannot answer now; the caller must not mistake it for "not found" nor crash on it.
      const error = `legacy database unavailable: ${describeError(err)}`;
      for (const id of ids) answers.set(id, { status: 'unavailable', error });
      return answers;
    }

    const found = new Map<string, LegacyRow>();
    for (const row of rows) found.set(row.external_id, row);
    for (const id of ids) {
      const row = found.get(id);
      answers.set(id, row ? { status: 'found', record: toStub(row) } : { status: 'not_found' });
    }
    return answers;
  }

  private async query(orm: MikroORM, sql: string, ids: string[]): Promise<LegacyRow[]> {
    // The id array travels as one bound parameter ($1), so the statement text never contains input.
    const result: { rows: LegacyRow[] } = await (orm.em as SqlEntityManager)
      .getKnex()
      .raw(sql, [ids])
      .timeout(this.timeoutMs);
    return result.rows;
  }
}
