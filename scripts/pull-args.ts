/** The arguments of `npm run pull`: parsed and checked here, without I/O, so they are unit-tested. */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { pullSinceSchema, STOCK_NOT_PULLED } from '../sync/pull/pull-starter';
import { PULL_ENTITY_TYPES, type PullEntityType } from '../workflows/contract';

/** The names `--entity` takes: the push routes' plural names, and the entity types themselves. */
export const PULL_ENTITY_NAMES: Record<string, PullEntityType> = {
  products: 'product',
  partners: 'partner',
  'sale-orders': 'sale_order',
  'purchase-orders': 'purchase_order',
  ...Object.fromEntries(PULL_ENTITY_TYPES.map((type) => [type, type])),
};

export interface PullArgs {
  entityType: PullEntityType;
  since?: string;
  full: boolean;
  /** false (`--no-wait`): start the run and exit at once. */
  wait: boolean;
}

/** Either the arguments, or what to print and the exit code (0 for --help, 2 for a usage error). */
export type ParsedPullArgs = { ok: true; args: PullArgs } | { ok: false; exitCode: 0 | 2; output: string };

export function resolvePullEntity(name: string): PullEntityType {
  const key = name.trim().toLowerCase();
  const entityType = PULL_ENTITY_NAMES[key];
  if (entityType) return entityType;
  if (key === 'stock' || key === 'stocks') throw new InvalidArgumentError(STOCK_NOT_PULLED);
  throw new InvalidArgumentError(`"${name}" is none of ${Object.keys(PULL_ENTITY_NAMES).join(', ')}`);
}

function parseSince(text: string): string {
  const parsed = pullSinceSchema.safeParse(text.trim());
  if (!parsed.success)
    throw new InvalidArgumentError(`"${text}" ${parsed.error.issues[0]?.message ?? 'is not a date'}`);
  return parsed.data;
}

function program(out: { write: (text: string) => void }): Command {
  return new Command()
    .name('npm run pull --')
    .description(
      'Pulls one entity type from Odoo now (the run the Schedule pull:<entity_type> starts) and shows its progress until it ends.',
    )
    .addOption(
      new Option('--entity <name>', `what to pull: ${Object.keys(PULL_ENTITY_NAMES).join(', ')}`)
        .argParser(resolvePullEntity)
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--since <date>', 'read what Odoo wrote since then: 2026-01-01, or 2026-01-01T08:00:00Z')
        .argParser(parseSince)
        .conflicts('full'),
    )
    .option('--full', 'read every record Odoo has, whatever the watermark (a backfill)', false)
    .option('--no-wait', 'start the run and exit, without following it')
    .helpOption('-h, --help', 'this help')
    .showHelpAfterError('(npm run pull -- --help for the options)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => out.write(s) });
}

/** `argv`: the arguments after the script (`process.argv.slice(2)`). */
export function parsePullArgs(argv: readonly string[]): ParsedPullArgs {
  let output = '';
  const command = program({ write: (s) => (output += s) });
  try {
    command.parse([...argv], { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    const help = err.code === 'commander.helpDisplayed' || err.code === 'commander.help';
    return { ok: false, exitCode: help ? 0 : 2, output: output.trimEnd() };
  }
  const options = command.opts<{ entity: PullEntityType; since?: string; full: boolean; wait: boolean }>();
  return {
    ok: true,
    args: {
      entityType: options.entity,
      ...(options.since !== undefined ? { since: options.since } : {}),
      full: options.full,
      wait: options.wait,
    },
  };
}
