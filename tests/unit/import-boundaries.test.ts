import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const ESLINT = path.join(ROOT, 'node_modules', '.bin', 'eslint');

/** Lints `code` as if it were the file `file` of the project; returns the messages of the rule under test. */
function restrictedImports(file: string, code: string): string[] {
  const result = spawnSync(ESLINT, ['--stdin', '--stdin-filename', file, '--format', 'json'], {
    cwd: ROOT,
    input: code,
    encoding: 'utf8',
  });
  const [report] = JSON.parse(result.stdout) as Array<{ messages: Array<{ ruleId: string; message: string }> }>;
  return report!.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('import boundaries (ESLint no-restricted-imports)', () => {
  it.each([
    ['api/probe.ts', "import { inboundRecordWorkflow } from '../workflows/inbound-record';"],
    ['sync/inbound/probe.ts', "import { saleOrderSyncWorkflow } from '../../workflows';"],
    ['activities/probe.ts', "import { saleOrderSyncWorkflow } from '../workflows/sale-order-sync';"],
    ['runtime/probe.ts', "import type { inboundRecordWorkflow } from '../workflows/inbound-record';"],
  ])('%s may not import a workflow implementation', (file, code) => {
    expect(restrictedImports(file, `${code}\nexport {};\n`)).toEqual([expect.stringMatching(/workflows\/contract/)]);
  });

  it('domain code may import the contract', () => {
    expect(
      restrictedImports('sync/probe.ts', "import { retrySignal } from '../workflows/contract';\nexport {};\n"),
    ).toEqual([]);
  });

  it('the worker imports nothing from workflows/', () => {
    const code = "import { SEARCH_ATTRIBUTES } from '../workflows/contract';\nexport {};\n";
    expect(restrictedImports('worker/probe.ts', code)).toEqual([expect.stringMatching(/prebuilt bundle/)]);
  });

  it.each([
    ["import { InboundDispatcher } from '../sync/inbound/dispatcher';", /only workflows\/contract/],
    ["import { loadConfig } from '../runtime/resources';", /only workflows\/contract/],
    ["import { createActivities } from '../activities';", /import type/],
    ["import fs from 'node:fs';", /deterministic/],
  ])('workflow code: %s is refused', (code, message) => {
    expect(restrictedImports('workflows/probe.ts', `${code}\nexport {};\n`)).toEqual([expect.stringMatching(message)]);
  });

  it('workflow code may name activities as types and import the contract', () => {
    const code =
      "import type { createActivities } from '../activities';\nimport { retrySignal } from './contract';\nexport {};\n";
    expect(restrictedImports('workflows/probe.ts', code)).toEqual([]);
  });
});
