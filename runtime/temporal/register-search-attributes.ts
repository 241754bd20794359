import { isGrpcServiceError, type Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import type { Logger } from 'pino';
import { SEARCH_ATTRIBUTE_TYPES } from '../../workflows/contract';

type IndexedValueType = NonNullable<ReturnType<typeof encodeSearchAttributeIndexedValueType>>;
type AttributeMap = Record<string, IndexedValueType>;

const GRPC_ALREADY_EXISTS = 6;
const VISIBILITY_TIMEOUT_MS = 10_000;
const VISIBILITY_POLL_MS = 200;

/**
 * Registers the project's custom search attributes in `namespace`, adding only
 * the missing ones, and resolves once all of them are listed by the server.
 * Throws if an attribute exists with a different type: that needs a human.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string, log?: Logger): Promise<void> {
  const wanted = wantedAttributes();
  const existing = await listCustomAttributes(connection, namespace);
  assertNoTypeConflicts(existing, wanted, namespace);

  const missing = Object.fromEntries(Object.entries(wanted).filter(([name]) => !(name in existing)));
  if (Object.keys(missing).length === 0) return;

  log?.info({ namespace, searchAttributes: Object.keys(missing) }, 'Registering Temporal search attributes');
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  } catch (err) {
    // Someone else registered them concurrently; the visibility check below verifies the types.
    if (!(isGrpcServiceError(err) && err.code === GRPC_ALREADY_EXISTS)) throw err;
  }
  await waitUntilVisible(connection, namespace, wanted);
}

function wantedAttributes(): AttributeMap {
  const result: AttributeMap = {};
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTE_TYPES)) {
    result[name] = encodeType(type);
  }
  return result;
}

function encodeType(type: SearchAttributeType): IndexedValueType {
  const encoded = encodeSearchAttributeIndexedValueType(type);
  if (encoded === undefined) throw new Error(`Unknown search attribute type ${type}`);
  return encoded;
}

function typeName(encoded: IndexedValueType): string {
  return Object.values(SearchAttributeType).find((type) => encodeType(type) === encoded) ?? `#${encoded}`;
}

async function listCustomAttributes(connection: Connection, namespace: string): Promise<AttributeMap> {
  const response = await connection.operatorService.listSearchAttributes({ namespace });
  return response.customAttributes ?? {};
}

function assertNoTypeConflicts(existing: AttributeMap, wanted: AttributeMap, namespace: string): void {
  const conflicts = Object.entries(wanted)
    .filter(([name, type]) => existing[name] !== undefined && existing[name] !== type)
    .map(([name, type]) => `${name} is ${typeName(existing[name]!)}, expected ${typeName(type)}`);
  if (conflicts.length > 0) {
    throw new Error(`Search attributes in namespace "${namespace}" have the wrong type: ${conflicts.join('; ')}`);
  }
}

async function waitUntilVisible(connection: Connection, namespace: string, wanted: AttributeMap): Promise<void> {
  const deadline = Date.now() + VISIBILITY_TIMEOUT_MS;
  for (;;) {
    const existing = await listCustomAttributes(connection, namespace);
    assertNoTypeConflicts(existing, wanted, namespace);
    const missing = Object.keys(wanted).filter((name) => !(name in existing));
    if (missing.length === 0) return;
    if (Date.now() >= deadline) {
      throw new Error(
        `Search attributes ${missing.join(', ')} still not visible in namespace "${namespace}" after ${VISIBILITY_TIMEOUT_MS} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, VISIBILITY_POLL_MS));
  }
}
