import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../config/config';

const LOCAL_BIN_DIR = path.join(PROJECT_ROOT, '.venv-temporal', 'bin');
const INSTALL_SCRIPT = path.join(PROJECT_ROOT, 'scripts', 'install-temporal.sh');

/** The Temporal CLI (`temporal`), from the project venv or else PATH. */
export function findTemporalCli(): string | undefined {
  return findExecutable('temporal');
}

/** The time-skipping test server (`temporal-test-server`), from the project venv or else PATH. */
export function findTemporalTestServer(): string | undefined {
  return findExecutable('temporal-test-server');
}

/** Returns both binaries, running scripts/install-temporal.sh first if either is missing. */
export function ensureTemporalBinaries(): { cli: string; testServer: string } {
  let cli = findTemporalCli();
  let testServer = findTemporalTestServer();
  if (cli && testServer) return { cli, testServer };

  const result = spawnSync('bash', [INSTALL_SCRIPT], { stdio: 'inherit' });
  if (result.error) throw new Error(`Could not run ${INSTALL_SCRIPT}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${INSTALL_SCRIPT} failed (${result.signal ?? `exit code ${result.status}`})`);
  }

  cli = findTemporalCli();
  testServer = findTemporalTestServer();
  if (!cli || !testServer) {
    const missing = [cli ? undefined : 'temporal', testServer ? undefined : 'temporal-test-server'].filter(Boolean);
    throw new Error(`${missing.join(' and ')} still missing after ${INSTALL_SCRIPT} ran`);
  }
  return { cli, testServer };
}

function findExecutable(name: string): string | undefined {
  const pathDirs = (process.env.PATH ?? '').split(path.delimiter).filter((dir) => dir !== '');
  return [LOCAL_BIN_DIR, ...pathDirs].map((dir) => path.join(dir, name)).find(isExecutableFile);
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
