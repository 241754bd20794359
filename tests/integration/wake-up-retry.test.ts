import { MockActivityEnvironment } from '@temporalio/testing';
import { inboundRecordActivities, type ProcessResult } from '../../activities/inbound-record';
import { PartnerSchema } from '../../entities/partner';
import { newSyncFields } from '../../sync/shared/sync-row-fields';
import { useServiceFixture } from '../support/fixtures';
import { eventually } from '../support/service-harness';
import { runId } from '../support/sync-back';

jest.setTimeout(120_000);

const run = runId();

describe('a processing retried after it marked the record processed but died waking its waiters', () => {
  const f = useServiceFixture({ env: { DEPENDENCY_GRACE_PERIOD: '1h' }, tokens: ['odoo'] });
  const stateOf = async (externalId: string) =>
    (await f.service.resources.orm.em.fork().findOne(PartnerSchema, { externalId }))?.processingState;

  it('wakes the waiters on the retry', async () => {
    const [parent, child] = [`WR-PARENT-${run}`, `WR-CHILD-${run}`];
    await f.service.request('POST', '/api/v1/partners', {
      token: f.odoo,
      body: { external_id: child, type: 'D', parent_external_id: parent },
    });
    await eventually(async () => ((await stateOf(child)) === 'awaiting_dependency' ? true : undefined));

    // The first attempt's write landed, its signals did not: the parent is processed, the child was never told.
    const fields = newSyncFields(
      {
        externalId: parent,
        odooId: null,
        data: { external_id: parent },
        changedFields: [],
        processingState: 'processed',
      },
      new Date(),
    );
    await f.service.resources.orm.em
      .fork()
      .insert(PartnerSchema, { ...fields, type: 'B', parentExternalId: null, name: null, email: null });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await stateOf(child)).toBe('awaiting_dependency');

    const { orm, metrics, temporal } = f.service.resources;
    const activities = inboundRecordActivities({ orm, metrics, temporal: temporal.client });
    const result: ProcessResult = await new MockActivityEnvironment().run(activities.processInboundRecord, {
      entityType: 'partner' as const,
      externalId: parent,
    });
    expect(result.state).toBe('processed');
    await eventually(async () => ((await stateOf(child)) === 'processed' ? true : undefined), 10_000);
  });
});
