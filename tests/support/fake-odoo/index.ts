export { FakeOdoo, startFakeOdoo, type FakeOdooOutcome, type FakeOdooRequest } from './fake-odoo';
export type { CallTarget } from './switches';
export type { Row as FakeOdooRecord } from './store';
