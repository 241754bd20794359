import { PartnerSchema } from '../../entities/partner';
import { createLogger } from '../../observability/logger';
import { PendingSweeper } from '../../sync/inbound/pending-sweeper';
import { newSyncFields } from '../../sync/shared/sync-row-fields';
import { useServiceFixture } from '../support/fixtures';
import { eventually } from '../support/service-harness';
import { runId } from '../support/sync-back';

jest.setTimeout(120_000);

const run = runId();
const id = (name: string) => `${name}-${run}`;

describe('the pending sweep hands off only what Temporal does not hold', () => {
  // No worker: every handed-off record stays pending, as behind a backlog.
  const f = useServiceFixture({ withWorker: false, tokens: ['odoo'] });

  const sweeper = (maxPerPass = 100) =>
    new PendingSweeper(
      f.service.resources.orm,
      f.service.resources.dispatcher,
      f.service.resources.metrics,
      createLogger('silent'),
      {
        minAgeMs: 0,
        maxPerPass,
      },
    );
  const em = () => f.service.resources.orm.em.fork();
  const metric = async (name: 'sweepHandOffs' | 'sweepSkipped') =>
    (await f.service.resources.metrics[name].get()).values.find((v) => v.labels.entity_type === 'partner')?.value ?? 0;
  const workflowExists = (externalId: string) =>
    f.service.resources.temporal.client.workflow
      .getHandle(`partner:${externalId}`)
      .describe()
      .then(() => true)
      .catch(() => false);
  const insertPartner = async (externalId: string, processingState: 'pending' | 'stub') => {
    const fields = newSyncFields(
      { externalId, odooId: 9, data: { external_id: externalId }, changedFields: [], processingState },
      new Date(Date.now() - 60_000),
    );
    await em().insert(PartnerSchema, { ...fields, type: 'C', parentExternalId: null, name: null, email: null });
  };

  it('skips a pending record already handed off (counted), and hands off again a version stored after its hand-off', async () => {
    const queued = id('QUEUED');
    await f.service.request('POST', '/api/v1/partners', { token: f.odoo, body: { external_id: queued, type: 'C' } });
    const row = await eventually(async () => {
      const r = await em().findOne(PartnerSchema, { externalId: queued });
      return r?.handedOffAt ? r : undefined;
    });
    expect(row.processingState).toBe('pending');
    expect(row.handedOffAt!.getTime()).toBeGreaterThanOrEqual(row.updatedAt.getTime());

    const skippedBefore = await metric('sweepSkipped');
    const handedBefore = await metric('sweepHandOffs');
    expect(await sweeper().sweep()).toBe(0);
    expect(await metric('sweepSkipped')).toBe(skippedBefore + 1);

    // A later version whose own hand-off never happened: the last hand-off predates it.
    await em().nativeUpdate(
      PartnerSchema,
      { externalId: queued },
      { handedOffAt: new Date(row.updatedAt.getTime() - 1000) },
    );
    expect(await sweeper().sweep()).toBe(1);
    expect(await metric('sweepHandOffs')).toBe(handedBefore + 1);
  });

  it('hands off a pending record never handed off, and a stub whose hand-off was deferred', async () => {
    const [lost, stub] = [id('LOST'), id('STUB')];
    await insertPartner(lost, 'pending');
    await insertPartner(stub, 'stub');
    expect(await workflowExists(stub)).toBe(false);
    expect(await sweeper().sweep()).toBe(2);
    expect(await workflowExists(lost)).toBe(true);
    expect(await workflowExists(stub)).toBe(true);
    const marked = await em().find(PartnerSchema, { externalId: { $in: [lost, stub] } });
    expect(marked.map((r) => r.handedOffAt)).toEqual([expect.any(Date), expect.any(Date)]);
    expect(await sweeper().sweep()).toBe(0);
  });

  it('hands off at most maxPerPass records per pass', async () => {
    for (let i = 0; i < 5; i++) await insertPartner(id(`MANY-${i}`), 'pending');
    expect(await sweeper(2).sweep()).toBe(2);
    expect(await sweeper(2).sweep()).toBe(2);
    expect(await sweeper(2).sweep()).toBe(1);
    expect(await sweeper(2).sweep()).toBe(0);
  });
});
