import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { ensureTemporalBinaries } from '../../runtime/temporal/binaries';
import { sharedWorkflowBundle, startTestService, type TestService } from '../support/service-harness';
import { testBackends } from '../support/test-backends';

jest.setTimeout(120_000);

const HISTORIES = path.join(__dirname, '../fixtures/histories');

/**
 * Recorded histories must replay against the current workflow code: a change that alters command order
 * without `patched()` fails here. Set RECORD_HISTORIES=1 to add the fresh histories as new fixtures.
 */
describe('workflow replay', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(() => service.stop());

  it('replays every recorded history', async () => {
    const files = fs.readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    const bundle = await sharedWorkflowBundle();
    for (const file of files) {
      const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES, file), 'utf8')));
      await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, file)).resolves.toBeUndefined();
    }
  });

  it('replays a fresh partner run (processed, then changed again)', async () => {
    const odoo = await service.token(['odoo']);
    await service.request('POST', '/api/v1/partners', {
      token: odoo,
      body: { external_id: 'REPLAY-1', type: 'C', name: 'First' },
    });
    const handle = service.resources.temporal.client.workflow.getHandle('partner:REPLAY-1');
    await handle.result();
    const history = await handle.fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: await sharedWorkflowBundle() }, history, 'partner:REPLAY-1');
    if (process.env.RECORD_HISTORIES === '1') {
      // The CLI writes the JSON form the replayer and the Temporal UI's download both use.
      const json = execFileSync(ensureTemporalBinaries().cli, [
        'workflow',
        'show',
        '--workflow-id',
        'partner:REPLAY-1',
        '--address',
        testBackends().temporalAddress,
        '--output',
        'json',
      ]);
      fs.writeFileSync(path.join(HISTORIES, 'inbound-partner-processed.json'), json);
    }
  });
});
