import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiTokenSchema } from '../../entities/api-token';
import { ensureDevToken } from '../../runtime/dev-token';
import { useServiceFixture } from '../support/fixtures';

describe('the development token of npm start', () => {
  const f = useServiceFixture({ withWorker: false });

  it('is made once per var/, kept readable by the user alone, and made again once it expired', async () => {
    const varDir = mkdtempSync(path.join(os.tmpdir(), 'dev-token-'));
    const em = () => f.service.resources.orm.em.fork();
    const first = await ensureDevToken(varDir, em);
    expect(first.fresh).toBe(true);
    expect(readFileSync(first.file, 'utf8').trim()).toBe(first.secret);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);

    const again = await ensureDevToken(varDir, em);
    expect(again).toEqual({ ...first, fresh: false });
    expect(await em().count(ApiTokenSchema, { name: { $like: 'development %' } })).toBeGreaterThanOrEqual(1);

    await em().nativeUpdate(ApiTokenSchema, {}, { expiresAt: new Date(Date.now() - 1000) });
    const renewed = await ensureDevToken(varDir, em);
    expect(renewed.fresh).toBe(true);
    expect(renewed.secret).not.toBe(first.secret);
  });
});
