import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { ConfigError } from './config';
import { adminCreateUser, adminRenewNow, type RenewNowOptions } from './cli/commands/admin';
import { auditListServers, auditVerify } from './cli/commands/audit';
import { caTest, crlRebuild } from './cli/commands/ca';
import { dbMigrate, dbStatus } from './cli/commands/db';
import { eventsExport, eventsVerify, inspect, report as complianceReport } from './cli/commands/events';
import { projectionsRebuild, projectionsStatus } from './cli/commands/projections';
import { serve } from './cli/commands/serve';
import { type GlobalOptions, readConfig } from './cli/context';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './cli/exit-codes';
import { VERSION } from './version';

/**
 * certledger [-c FILE] [--debug] [--validate-only] [--version] [command]
 * `serve` is the default command. Unknown commands and flags print usage and exit 2; invalid
 * configuration exits 1 with every problem listed.
 */
let serving = false;

function buildProgram(run: (fn: (opts: GlobalOptions) => Promise<void>) => Promise<void>): Command {
  const program = new Command('certledger')
    .description('Event-sourced ACME certificate authority (RFC 8555)')
    .option('-c, --config <file>', 'YAML configuration file (default: $CERTLEDGER_CONFIG, else embedded defaults)')
    .option('--debug', 'debug logging')
    .option('--validate-only', 'validate the configuration exactly as serve would, then exit 0 or 1')
    .version(VERSION, '--version', 'print the version')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('serve')
    .description('run the ACME server (default)')
    .action(() =>
      run(async (opts) => {
        await serve(opts);
        serving = true;
      }),
    );

  const db = program.command('db').description('database schema').exitOverride();
  db.command('status').description('connectivity, applied and pending migrations').action(() => run(dbStatus));
  db.command('migrate').description('apply pending migrations').action(() => run(dbMigrate));

  const projections = program.command('projections').description('read models').exitOverride();
  projections.command('status').description("each projection's position, lag and state").action(() => run(projectionsStatus));
  projections
    .command('rebuild [name]')
    .description('replay one projection (or all) from the first event')
    .action((name?: string) => run((o) => projectionsRebuild(o, name)));

  const audit = program.command('audit').description('tamper-evident audit log').exitOverride();
  audit
    .command('verify')
    .description("check this node's audit chain; exit 1 at the first break")
    .option('--file <file>', 'audit file (default: <data_dir>/audit/audit.jsonl)')
    .action((o: { file?: string }) => run((g) => auditVerify(g, o.file)));
  audit.command('list-servers').description('nodes registered in the database, most recently seen first').action(() => run(auditListServers));

  const ca = program.command('ca').description('certificate authority').exitOverride();
  ca.command('test').description('sign an ephemeral CSR with the configured backend and check the chain').action(() => run(caTest));
  const crl = program.command('crl').description('certificate revocation list').exitOverride();
  crl.command('rebuild').description('build a new CRL now').action(() => run(crlRebuild));

  const admin = program.command('admin').description('admin API users').exitOverride();
  admin
    .command('create-user')
    .description('create an admin API user and print its password once')
    .requiredOption('--username <name>', 'login name')
    .option('--role <role>', 'admin or auditor (read-only)', 'auditor')
    .action((o: { username: string; role: string }) => run((g) => adminCreateUser(g, o.username, o.role)));
  admin
    .command('renew-now')
    .description('move the ARI renewal window of the matching certificates into the past (incident response)')
    .option('--account <id>', 'certificates of this account')
    .option('--name <dns>', 'certificates naming this DNS name')
    .option('--serial <hex>', 'the certificate with this serial')
    .requiredOption('--reason <text>', 'why, recorded in each certificate\'s history')
    .requiredOption('--expect <n>', 'proceed only when exactly this many certificates match')
    .action((o: RenewNowOptions) => run((g) => adminRenewNow(g, o)));

  const events = program.command('events').description('the event history').exitOverride();
  events
    .command('export')
    .description('write the history (or a time range) as JSON Lines with a running SHA-256 chain')
    .option('--from <time>', 'first instant (inclusive)')
    .option('--to <time>', 'last instant (exclusive)')
    .option('--out <file>', 'write to a file (mode 0600) instead of stdout')
    .action((o: { from?: string; to?: string; out?: string }) => run((g) => eventsExport(g, o)));
  events
    .command('verify [file]')
    .description('with FILE: check an export offline (chain, hashes, final digest); without: check the hash chain stored in the database, exit 1 at the first break')
    .action((file: string | undefined) => run((g) => eventsVerify(g, file)));
  program
    .command('report')
    .description('compliance report: certificates issued and revoked, accounts created, EAB keys used')
    .requiredOption('--from <time>', 'period start (inclusive)')
    .requiredOption('--to <time>', 'period end (exclusive)')
    .option('--format <format>', 'json or csv', 'json')
    .option('--section <section>', 'with csv: issued, revoked, accounts or eab', 'issued')
    .action((o: { from: string; to: string; format: string; section: string }) => run((g) => complianceReport(g, o)));
  program
    .command('inspect <kind> <id>')
    .description('state, history and related resources of an order, certificate or account')
    .action((kind: string, id: string) => run((g) => inspect(g, kind, id)));

  for (const c of [program, db, projections, audit, ca, crl, admin, events, ...events.commands, ...admin.commands, ...ca.commands, ...crl.commands, ...audit.commands, ...db.commands, ...projections.commands, ...program.commands]) c.exitOverride();
  return program;
}

const COMMANDS = ['serve', 'db', 'projections', 'audit', 'ca', 'crl', 'admin', 'events', 'report', 'inspect', 'help'];
const OPTIONS_WITH_VALUE = new Set(['-c', '--config']);

/**
 * `serve` is the default command. Commander's own default-command handling would report an
 * unknown command as "too many arguments for 'serve'", so the command word is checked here.
 */
function withDefaultCommand(argv: string[]): string[] | { unknown: string } {
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (OPTIONS_WITH_VALUE.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return COMMANDS.includes(a) ? argv : { unknown: a };
  }
  return [...argv, 'serve'];
}

async function main(rawArgv: string[]): Promise<number> {
  const argv = withDefaultCommand(rawArgv);
  let exitCode = EXIT_OK;
  const program = buildProgram(async (fn) => {
    const opts = program.opts<GlobalOptions>();
    if (opts.validateOnly) {
      const { path } = readConfig(opts);
      process.stdout.write(`configuration ${path ?? '(embedded defaults)'} is valid\n`);
      return;
    }
    await fn(opts);
  });
  if (!Array.isArray(argv)) {
    process.stderr.write(`error: unknown command '${argv.unknown}'\n\n${program.helpInformation()}`);
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync(argv);
  } catch (e) {
    exitCode = report(e);
  }
  return exitCode;
}

function report(e: unknown): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT_OK;
    return EXIT_USAGE;
  }
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
    return EXIT_FAILURE;
  }
  if (e instanceof CliError) {
    process.stderr.write(`error: ${e.message}\n`);
    return e.exitCode;
  }
  process.stderr.write(`error: ${(e as Error)?.message ?? String(e)}\n`);
  if (process.env.CERTLEDGER_DEBUG) process.stderr.write(`${(e as Error)?.stack}\n`);
  return EXIT_FAILURE;
}

main(process.argv).then((code) => {
  // A running server keeps the process alive until its signal handler exits; anything else ends here.
  if (code !== EXIT_OK || !serving) process.exit(code);
});
