import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import type { Logger } from 'pino';
import { ensureSearchAttributes } from './register-search-attributes';
import { SEARCH_ATTRIBUTE_TYPES } from '../../workflows/contract';

export interface TemporalDevServerOptions {
  cliPath: string;
  /** SQLite file holding the server's state; its directory is created if needed. */
  dbFile: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** Server output is appended here. Defaults to `<dbFile>.log`. */
  logFile?: string;
  log?: Logger;
  /** Further `temporal server start-dev` arguments, e.g. `--dynamic-config-value` pairs. */
  extraArgs?: string[];
}

export interface TemporalDevServer {
  address: string;
  uiUrl: string;
  pid: number;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const STARTUP_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
const PROBE_TIMEOUT_MS = 2_000;
const LOG_TAIL_LINES = 40;

const CLI_TYPE_NAMES: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/**
 * Runs `temporal server start-dev` bound to 127.0.0.1 and resolves once the
 * namespace answers and the project's search attributes are registered.
 *
 * The server is tied to this process: it gets SIGTERM when this process exits
 * (normally, through process.exit, an uncaught exception, or an unhandled
 * SIGINT/SIGTERM/SIGHUP) and, on Linux with util-linux `setpriv`, also when it
 * is killed outright (SIGKILL, OOM). Elsewhere a SIGKILL of this process leaves
 * the server running. The child does not keep the event loop alive: a program
 * that only runs the server must keep itself alive until it calls stop().
 */
export async function startTemporalDevServer(opts: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const address = `${HOST}:${opts.port}`;
  const startedAt = Date.now();
  await assertPortFree(opts.port, 'gRPC frontend');
  await assertPortFree(opts.uiPort, 'Web UI');

  const logFile = opts.logFile ?? `${opts.dbFile}.log`;
  mkdirSync(path.dirname(opts.dbFile), { recursive: true });
  mkdirSync(path.dirname(logFile), { recursive: true });
  const logFd = openSync(logFile, 'a');
  const logOffset = fstatSync(logFd).size;
  let server: GuardedProcess;
  try {
    server = spawnGuarded(opts.cliPath, devServerArgs(opts), logFd);
  } finally {
    closeSync(logFd);
  }

  const failure = (problem: string) =>
    new Error(
      `Temporal dev server on ${address} ${problem}. Its last output (${logFile}):\n${readTail(logFile, logOffset)}`,
    );
  try {
    const connection = await waitForFrontend(opts.port, opts.namespace, server, failure);
    try {
      await ensureSearchAttributes(connection, opts.namespace, opts.log);
    } finally {
      await connection.close();
    }
  } catch (err) {
    await server.stop();
    throw err;
  }

  server.unref();
  void server.exited.then((reason) => {
    if (!server.stopping) opts.log?.error({ address, logFile }, `Temporal dev server ${reason}`);
  });
  opts.log?.info({ address, ms: Date.now() - startedAt }, 'Temporal dev server ready');
  return { address, uiUrl: `http://${HOST}:${opts.uiPort}`, pid: server.pid, stop: () => server.stop() };
}

function devServerArgs(opts: TemporalDevServerOptions): string[] {
  const searchAttributes = Object.entries(SEARCH_ATTRIBUTE_TYPES).flatMap(([name, type]) => [
    '--search-attribute',
    `${name}=${CLI_TYPE_NAMES[type]}`,
  ]);
  return [
    'server',
    'start-dev',
    '--db-filename',
    opts.dbFile,
    '--port',
    String(opts.port),
    '--ui-port',
    String(opts.uiPort),
    '--namespace',
    opts.namespace,
    '--ip',
    HOST,
    '--log-level',
    'warn',
    // WAL with normal sync: safe against a crash of the process (each commit reaches the OS), twice the
    // throughput of a full sync per commit; a power cut may lose the last commits.
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
    // Only applied to namespaces created at this launch; an existing db file
    // is brought up to date by ensureSearchAttributes afterwards.
    ...searchAttributes,
    ...(opts.extraArgs ?? []),
  ];
}

async function waitForFrontend(
  port: number,
  namespace: string,
  server: GuardedProcess,
  failure: (problem: string) => Error,
): Promise<Connection> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    const connection = await connectToNamespace(port, namespace);
    if (connection) return connection;
    if (server.exitReason !== undefined) throw failure(server.exitReason);
    if (Date.now() >= deadline) throw failure(`did not answer within ${STARTUP_TIMEOUT_MS / 1000} s`);
    await sleep(100);
  }
}

async function connectToNamespace(port: number, namespace: string): Promise<Connection | undefined> {
  const connection = await tryConnect(port);
  if (!connection) return undefined;
  try {
    await connection.withDeadline(Date.now() + PROBE_TIMEOUT_MS, () =>
      connection.workflowService.describeNamespace({ namespace }),
    );
    return connection;
  } catch {
    await connection.close();
    return undefined;
  }
}

/** A connection that has answered getSystemInfo, or undefined if no Temporal server listens on `port`. */
async function tryConnect(port: number): Promise<Connection | undefined> {
  // A plain TCP probe first: gRPC's reconnect backoff would otherwise slow down polling.
  if (!(await acceptsTcp(port))) return undefined;
  try {
    return await Connection.connect({ address: `${HOST}:${port}`, connectTimeout: PROBE_TIMEOUT_MS });
  } catch {
    return undefined;
  }
}

async function assertPortFree(port: number, role: string): Promise<void> {
  if (await canListen(port)) return;
  const address = `${HOST}:${port}`;
  const temporal = await tryConnect(port);
  if (temporal) {
    await temporal.close();
    throw new Error(
      `A Temporal server is already listening on ${address} (${role} port), probably left over from an earlier run. Stop it or choose another port.`,
    );
  }
  throw new Error(`Port ${address} (${role}) is already in use by another process`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(false) : reject(err)));
    probe.listen({ host: HOST, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

function acceptsTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port, timeout: PROBE_TIMEOUT_MS });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

function readTail(file: string, fromOffset: number): string {
  const maxBytes = 16 * 1024;
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(fromOffset, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    readSync(fd, buffer, 0, buffer.length, start);
    const lines = buffer.toString('utf8').trimEnd().split('\n').slice(-LOG_TAIL_LINES);
    return lines.join('\n') || '(no output)';
  } finally {
    closeSync(fd);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// --- Tying the child's lifetime to ours ---------------------------------------

interface GuardedProcess {
  /** Resolves with a description once the process has exited or failed to spawn. */
  exited: Promise<string>;
  exitReason: string | undefined;
  /** 0 if the process could not be spawned. */
  pid: number;
  stopping: boolean;
  /** Lets this process exit while the server runs (which then stops it). */
  unref(): void;
  stop(): Promise<void>;
}

const liveChildren = new Set<ChildProcess>();
const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function spawnGuarded(command: string, args: string[], logFd: number): GuardedProcess {
  const [file, argv] = withParentDeathSignal(command, args);
  const child = spawn(file, argv, { stdio: ['ignore', logFd, logFd] });
  const guarded: GuardedProcess = {
    exitReason: undefined,
    pid: child.pid ?? 0,
    stopping: false,
    unref: () => child.unref(),
    exited: new Promise((resolve) => {
      const finish = (reason: string) => {
        guarded.exitReason ??= reason;
        untrack(child);
        resolve(guarded.exitReason);
      };
      // 'error' also reports failed kill() calls; only a failed spawn leaves no pid.
      child.on('error', (err) => {
        if (child.pid === undefined) finish(`could not be started: ${err.message}`);
      });
      child.once('exit', (code, signal) => finish(`exited with ${signal ?? `code ${code}`}`));
    }),
    stop: () => (stopPromise ??= terminate()),
  };
  let stopPromise: Promise<void> | undefined;
  const terminate = async () => {
    if (guarded.exitReason !== undefined) return;
    guarded.stopping = true;
    child.kill('SIGTERM');
    child.ref();
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, STOP_GRACE_MS, 'timeout').unref());
    if ((await Promise.race([guarded.exited, timeout])) === 'timeout') {
      child.kill('SIGKILL');
      await guarded.exited;
    }
  };
  if (child.pid !== undefined) track(child);
  return guarded;
}

/**
 * Wraps the command in `setpriv --pdeathsig SIGTERM` where available, so the
 * kernel signals the server even when this process dies without running any
 * JavaScript. The signal follows the death of the spawning thread, which is
 * the main thread unless this runs inside a worker_thread.
 */
function withParentDeathSignal(command: string, args: string[]): [string, string[]] {
  return supportsPdeathsig() ? ['setpriv', ['--pdeathsig', 'SIGTERM', '--', command, ...args]] : [command, args];
}

let pdeathsigSupported: boolean | undefined;
function supportsPdeathsig(): boolean {
  pdeathsigSupported ??=
    process.platform === 'linux' && spawnSync('setpriv', ['--pdeathsig', 'SIGTERM', '--', 'true']).status === 0;
  return pdeathsigSupported;
}

function track(child: ChildProcess): void {
  liveChildren.add(child);
  if (liveChildren.size > 1) return;
  process.on('exit', killLiveChildren);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, onSignal);
}

function untrack(child: ChildProcess): void {
  if (!liveChildren.delete(child) || liveChildren.size > 0) return;
  process.off('exit', killLiveChildren);
  for (const signal of FORWARDED_SIGNALS) process.off(signal, onSignal);
}

function killLiveChildren(): void {
  for (const child of liveChildren) child.kill('SIGTERM');
}

/**
 * Node dies on these signals without emitting 'exit' unless someone listens.
 * If the application has its own handler it owns shutdown (and will stop the
 * server or exit); otherwise clean up and re-raise to keep the default outcome.
 */
function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  killLiveChildren();
  for (const forwarded of FORWARDED_SIGNALS) process.off(forwarded, onSignal);
  process.kill(process.pid, signal);
}
