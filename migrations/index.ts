import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122025658_initial } from './Migration20261122025658-initial';
import { Migration20261122033708_feedServedAt } from './Migration20261122033708-feed-served-at';
import { Migration20261122120000_syncCreateMarker } from './Migration20261122120000-sync-create-marker';
import { Migration20261201200000_acknowledgedValues } from './Migration20261201200000-acknowledged-values';
import { Migration20261201210000_removedPrices } from './Migration20261201210000-removed-prices';
import { Migration20261202020000_exactKeys } from './Migration20261202020000-exact-keys';
import { Migration20261202030000_handedOffAt } from './Migration20261202030000-handed-off-at';
import { Migration20261202100000_syncRuns } from './Migration20261202100000-sync-runs';
import { Migration20261202120000_orderLifecycle } from './Migration20261202120000-order-lifecycle';
import { Migration20261202140000_orderSync } from './Migration20261202140000-order-sync';

/** Every MySQL migration, oldest first. Listed explicitly so compiled and TypeScript runs see the same set. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261122025658-initial', class: Migration20261122025658_initial },
  { name: 'Migration20261122033708-feed-served-at', class: Migration20261122033708_feedServedAt },
  { name: 'Migration20261122120000-sync-create-marker', class: Migration20261122120000_syncCreateMarker },
  { name: 'Migration20261201200000-acknowledged-values', class: Migration20261201200000_acknowledgedValues },
  { name: 'Migration20261201210000-removed-prices', class: Migration20261201210000_removedPrices },
  { name: 'Migration20261202020000-exact-keys', class: Migration20261202020000_exactKeys },
  { name: 'Migration20261202030000-handed-off-at', class: Migration20261202030000_handedOffAt },
  { name: 'Migration20261202100000-sync-runs', class: Migration20261202100000_syncRuns },
  { name: 'Migration20261202120000-order-lifecycle', class: Migration20261202120000_orderLifecycle },
  { name: 'Migration20261202140000-order-sync', class: Migration20261202140000_orderSync },
];
