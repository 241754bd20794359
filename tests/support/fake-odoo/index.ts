export { FakeOdoo, startFakeOdoo, type FakeOdooOutcome, type FakeOdooRequest } from './fake-odoo';
export { odooDatetime, type Clock as FakeOdooClock } from './clock';
export type { CallTarget } from './switches';
export type { Row as FakeOdooRecord } from './store';
