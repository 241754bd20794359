/**
 * `npm run pull` as an operator runs it: a child process against the suite's Temporal, following a run to its end.
 * The run is a scripted stand-in for the pull workflow (tests/support/scripted-pull-workflow.ts: the contract's
 * name, query and result), so what is tested is the command: starting, polling the progress, the lines it prints
 * without a terminal, the summary and the exit codes. The real workflow's runs are tested in odoo-pull.test.ts.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { testBackends } from '../support/test-backends';

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '..', '..');
const ODOO_ENV = { ODOO_URL: 'http://127.0.0.1:9', ODOO_DB: 'none', ODOO_LOGIN: 'none', ODOO_API_KEY: 'none' };

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('npm run pull', () => {
  const queue = `pull-cli-${randomBytes(4).toString('hex')}`;
  const varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pull-cli-'));
  let nativeConnection: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let connection: Connection;
  let client: Client;

  beforeAll(async () => {
    const address = testBackends().temporalAddress;
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../support/scripted-pull-workflow'),
      logger: {
        log: () => undefined,
        trace: () => undefined,
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: console.error,
      },
    });
    nativeConnection = await NativeConnection.connect({ address });
    worker = await Worker.create({ connection: nativeConnection, taskQueue: queue, workflowBundle });
    running = worker.run();
    connection = await Connection.connect({ address });
    client = new Client({ connection });
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await nativeConnection?.close();
    await connection?.close();
    fs.rmSync(varDir, { recursive: true, force: true });
  });

  /** Runs the command; `until`: once its stdout matches, sends SIGINT (the operator's Ctrl-C). */
  const pull = (args: string[], env: Record<string, string | undefined> = {}, until?: RegExp): Promise<CliRun> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/pull.ts', ...args], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          TEMPORAL_ADDRESS: testBackends().temporalAddress,
          TEMPORAL_PULL_TASK_QUEUE: queue,
          VAR_DIR: varDir,
          ...ODOO_ENV,
          ...env,
        } as NodeJS.ProcessEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let interrupted = false;
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (until && !interrupted && until.test(stdout)) {
          interrupted = true;
          child.kill('SIGINT');
        }
      });
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });

  const startedId = (out: string) => /Started the pull of [\w ]+: (\S+) \(run /.exec(out)?.[1];

  it('follows a run to its end, one line every few seconds without a terminal, and exits 0 on success', async () => {
    const { code, stdout, stderr } = await pull(['--entity', 'products']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Started the pull of products: pull:product:manual-\S+ \(run [\w-]+\)$/);
    expect(lines).toContainEqual(expect.stringMatching(/^\[\d+(ms|s)\] products: /));
    expect(lines.slice(-2)).toEqual([
      expect.stringMatching(/^Pull of products success in \d+(ms|s) \(pull:product:manual-\S+\)$/),
      expect.stringMatching(
        /^ {2}read 30 of 30 in 3 pages \([\d.,]+\/s\): created 10, updated 0, unchanged 20, failed 0$/,
      ),
    ]);
    // No terminal, no bar: nothing but plain lines.
    expect(stdout).not.toContain('\u001b[');
    expect(stdout).not.toContain('█');
    const run = await client.workflow.getHandle(startedId(stdout)!).describe();
    expect(run.status.name).toBe('COMPLETED');
  });

  it('exits 1 for a partial run and for a failed one, saying why', async () => {
    const partial = await pull(['--entity', 'partner', '--since', '2026-01-01']);
    expect(partial.code).toBe(1);
    expect(partial.stdout).toMatch(/Pull of partners partial in/);
    expect(partial.stdout).toMatch(/unchanged 18, failed 2\n {2}error: 2 records refused\n$/);

    const failed = await pull(['--entity', 'sale-orders']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(
      /Pull of sale orders failed in .*\n {2}read \d+ of 30 .*\n {2}error: Odoo refused the read: AccessError on sale.order\n$/,
    );
  });

  it('passes --since and --full to the run', async () => {
    const { stdout } = await pull(['--entity', 'partners', '--full', '--no-wait']);
    const handle = client.workflow.getHandle(startedId(stdout)!);
    const history = await handle.fetchHistory();
    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!;
    expect(JSON.parse(Buffer.from(input.payloads![0]!.data!).toString())).toEqual({
      entityType: 'partner',
      trigger: 'manual',
      full: true,
    });
    expect(await (await handle.describe()).staticSummary()).toBe('Pull partners from Odoo (manual, full)');
  });

  it('with --no-wait, starts the run and exits at once', async () => {
    const { code, stdout } = await pull(['--entity', 'product', '--no-wait']);
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    const id = startedId(stdout)!;
    expect(await client.workflow.getHandle(id).result()).toMatchObject({ status: 'success', total: 30 });
  });

  it('says when no worker picks the run up; Ctrl-C stops following and leaves the run going', async () => {
    const idle = `${queue}-idle`;
    const { code, stdout } = await pull(
      ['--entity', 'products'],
      { TEMPORAL_PULL_TASK_QUEUE: idle },
      /waiting for a worker/,
    );
    expect(code).toBe(130);
    expect(stdout).toMatch(/\] products: waiting for a worker to pick up the run/);
    expect(stdout).toMatch(/Stopped following; the run goes on in Temporal: pull:product:manual-/);
    const handle = client.workflow.getHandle(startedId(stdout)!);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('pull-cli test done');
  });

  it('refuses with exit code 2: bad arguments, stock, Odoo not configured', async () => {
    const stock = await pull(['--entity', 'stock']);
    expect(stock.code).toBe(2);
    expect(stock.stderr).toMatch(/stock is not pulled from Odoo/);
    expect((await pull(['--entity', 'products', '--since', 'last week'])).code).toBe(2);
    const unconfigured = await pull(['--entity', 'products'], { ODOO_URL: undefined, ODOO_API_KEY: undefined });
    expect(unconfigured.code).toBe(2);
    expect(unconfigured.stderr).toMatch(/ODOO_URL, ODOO_DB, ODOO_LOGIN and ODOO_API_KEY are not all set/);
    const badConfig = await pull(['--entity', 'products'], { ODOO_PULL_INTERVAL: 'sometimes' });
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toMatch(/ODOO_PULL_INTERVAL/);
  });

  it('exits 1 when Temporal cannot be reached', async () => {
    const { code, stderr } = await pull(['--entity', 'products'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^Cannot reach Temporal at 127\.0\.0\.1:1/);
  });
});
