import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { ensureSearchAttributes } from '../../runtime/temporal/register-search-attributes';
import { SEARCH_ATTRIBUTE_TYPES } from '../../workflows/contract';
import { ensureTemporalBinaries } from '../../runtime/temporal/binaries';
import { startTemporalDevServer, type TemporalDevServer } from '../../runtime/temporal/dev-server';

jest.setTimeout(120_000);

const NAMESPACE = 'webshop-sync-test';
const ATTRIBUTE_NAMES = Object.keys(SEARCH_ATTRIBUTE_TYPES).sort();
const KEYWORD = 2; // temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD

describe('startTemporalDevServer', () => {
  let cli: string;
  let dir: string;
  let dbFile: string;
  let port: number;
  let uiPort: number;
  let server: TemporalDevServer | undefined;
  let connection: Connection | undefined;

  beforeAll(async () => {
    cli = ensureTemporalBinaries().cli;
    dir = mkdtempSync(path.join(os.tmpdir(), 'temporal-dev-server-'));
    dbFile = path.join(dir, 'nested', 'temporal.sqlite');
    [port, uiPort] = await freePorts();
    server = await startTemporalDevServer({ cliPath: cli, dbFile, port, uiPort, namespace: NAMESPACE });
    connection = await Connection.connect({ address: server.address });
  });

  afterAll(async () => {
    await connection?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 with the requested ports', () => {
    expect(server?.address).toBe(`127.0.0.1:${port}`);
    expect(server?.uiUrl).toBe(`http://127.0.0.1:${uiPort}`);
  });

  it('registers every project search attribute in the namespace', async () => {
    expect(await customAttributeNames(connection!)).toEqual(expect.arrayContaining(ATTRIBUTE_NAMES));
  });

  it('ensureSearchAttributes is idempotent', async () => {
    await ensureSearchAttributes(connection!, NAMESPACE);
    await ensureSearchAttributes(connection!, NAMESPACE);
    expect(await customAttributeNames(connection!)).toEqual(expect.arrayContaining(ATTRIBUTE_NAMES));
  });

  it('re-adds an attribute that went missing', async () => {
    await connection!.operatorService.removeSearchAttributes({ namespace: NAMESPACE, searchAttributes: ['StaleStub'] });
    expect(await customAttributeNames(connection!)).not.toContain('StaleStub');

    await ensureSearchAttributes(connection!, NAMESPACE);
    expect(await customAttributeNames(connection!)).toEqual(expect.arrayContaining(ATTRIBUTE_NAMES));
  });

  it('rejects an attribute registered with another type', async () => {
    const operator = connection!.operatorService;
    await operator.removeSearchAttributes({ namespace: NAMESPACE, searchAttributes: ['StaleStub'] });
    await operator.addSearchAttributes({ namespace: NAMESPACE, searchAttributes: { StaleStub: KEYWORD } });
    try {
      await expect(ensureSearchAttributes(connection!, NAMESPACE)).rejects.toThrow(
        'StaleStub is KEYWORD, expected BOOL',
      );
    } finally {
      await operator.removeSearchAttributes({ namespace: NAMESPACE, searchAttributes: ['StaleStub'] });
      await ensureSearchAttributes(connection!, NAMESPACE);
    }
  });

  it('refuses to start a second server on a port a Temporal server holds', async () => {
    const [otherUiPort] = await freePorts();
    await expect(
      startTemporalDevServer({
        cliPath: cli,
        dbFile: path.join(dir, 'second.sqlite'),
        port,
        uiPort: otherUiPort,
        namespace: NAMESPACE,
      }),
    ).rejects.toThrow(/already listening on 127\.0\.0\.1:\d+/);
  });

  it('stops the server process and frees its port', async () => {
    const { pid } = server!;
    await connection!.close();
    connection = undefined;
    await server!.stop();
    server = undefined;

    expect(isAlive(pid)).toBe(false);
    expect(await canListen(port)).toBe(true);
    expect(await canListen(uiPort)).toBe(true);
  });

  it('brings an existing db file up to date with the search attributes', async () => {
    server = await startTemporalDevServer({ cliPath: cli, dbFile, port, uiPort, namespace: 'another-namespace' });
    connection = await Connection.connect({ address: server.address });
    expect(await customAttributeNames(connection, 'another-namespace')).toEqual(
      expect.arrayContaining(ATTRIBUTE_NAMES),
    );
  });

  it('reports the log tail when the server exits during startup', async () => {
    const failingCli = path.join(dir, 'failing-temporal');
    writeFileSync(failingCli, '#!/bin/sh\necho "cannot start: $*" >&2\nexit 3\n', { mode: 0o755 });
    const [badPort, badUiPort] = await freePorts();
    await expect(
      startTemporalDevServer({
        cliPath: failingCli,
        dbFile: path.join(dir, 'bad.sqlite'),
        port: badPort,
        uiPort: badUiPort,
        namespace: NAMESPACE,
      }),
    ).rejects.toThrow(/exited with code 3\. Its last output .*\n.*cannot start: server start-dev/);
  });
});

async function customAttributeNames(connection: Connection, namespace = NAMESPACE): Promise<string[]> {
  const response = await connection.operatorService.listSearchAttributes({ namespace });
  return Object.keys(response.customAttributes ?? {});
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host: '127.0.0.1', port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** Two distinct ports the OS reports free right now. */
async function freePorts(): Promise<[number, number]> {
  const first = await listenOnAnyPort();
  const second = await listenOnAnyPort();
  const ports: [number, number] = [portOf(first), portOf(second)];
  await Promise.all([first, second].map((probe) => new Promise((resolve) => probe.close(resolve))));
  return ports;
}

function listenOnAnyPort(): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen({ host: '127.0.0.1', port: 0 }, () => resolve(probe));
  });
}

function portOf(server: net.Server): number {
  return (server.address() as net.AddressInfo).port;
}
