import { Argument, Command, Option } from 'commander';
import type { CommandContext } from './context';
import type { DeployFlags } from './commands/deploy';
import type { BundleInfo } from './commands/info';
import type { TrainFlags } from './commands/train';
import { MODEL_NAMES } from './model-names';
import { integerOption } from './options';
import { Output, type Streams, type Verbosity } from './output';

interface GlobalFlags {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

/**
 * The `kdap` program. Each action builds its Output from the global flags and hands its result
 * back through `onResult`, so run() owns exit codes and error lines in one place.
 */
// Each command's module (and the packages it needs: the models, DuckDB, Arrow, the Azure SDK, the
// report) loads when that command runs, not at start-up: `kdap --help` or `kdap score` does not
// pay for `kdap deploy`'s Azure SDK. Measured on the built bin: start-up to the first command was
// 0.8 s (the Azure SDK and Fastify 0.4 s of it) before this.
export function buildProgram(streams: Streams, makeContext: (out: Output) => CommandContext, onOutput: (out: Output) => void): Command {
  const program = new Command('kdap')
    .description('Train, score and inspect the KDAP ML models (Budget Optimizer, Propensity Scorer, Anomaly Detector).')
    .option('-V, --version', 'print the package and native library versions')
    .option('--json', 'print one machine-readable JSON result on stdout')
    .option('-q, --quiet', 'no progress or notices (errors still print)')
    .option('-v, --verbose', 'more detail, and stack traces with errors')
    .configureOutput({
      writeOut: (s) => streams.stdout.write(s),
      writeErr: (s) => streams.stderr.write(s),
      // Usage errors as one line, with commander's did-you-mean and a pointer to --help.
      outputError: (s, write) => write(`${s.trim().replace(/\s*\n\s*/g, ' ')} (see 'kdap --help')\n`),
    })
    .exitOverride();

  const outputFor = (command: Command): Output => {
    const g = command.optsWithGlobals<GlobalFlags>();
    const verbosity: Verbosity = g.verbose ? 'verbose' : g.quiet ? 'quiet' : 'normal';
    const out = new Output(streams, { json: g.json ?? false, verbosity });
    onOutput(out);
    return out;
  };

  /** Runs a subcommand with the output its flags ask for; prints its result as JSON (--json) or with `print`. */
  const respond = async <R>(command: Command, run: (ctx: CommandContext) => Promise<R>, print?: (result: R, ctx: CommandContext) => void): Promise<void> => {
    const ctx = makeContext(outputFor(command));
    const result = await run(ctx);
    if (ctx.out.json) ctx.out.resultJson(result);
    else print?.(result, ctx);
  };

  const modelArgument = (what: string) => new Argument('<model>', what).choices(MODEL_NAMES);

  program
    .command('train')
    .description('train a model on a data file, or on synthetic data when no --data is given, and save its bundle')
    .addArgument(modelArgument('the model to train'))
    .option('--data <path>', 'training data file (CSV, Parquet, Arrow IPC, JSON/NDJSON)')
    .option('--target <name>', 'target column (default: features.target of the model configuration)')
    .option('--channel-column <name>', "budget: your channel column (default 'channel_id')")
    .option('--spend-column <name>', "budget: your spend column, currency per period (default: optimization.spend_feature, 'current_spend')")
    .option('--date-column <name>', "your date column (default 'date'; propensity: the first date column), which orders the periods")
    .option('--id-column <name>', "propensity: your customer id column (default: features.id_column, 'customer_id')")
    .option('--series-column <names>', "anomaly: your series column(s), comma-separated (default: features.entity_columns, 'channel_id,metric')")
    .option('--value-column <name>', "anomaly: your value column (default: features.value_column, 'value')")
    .option('--samples <n>', 'rows of synthetic data when no --data (budget: channel-days; propensity: customers; anomaly: rows = days x 16 series, rounded up to whole days)', integerOption('--samples', 1))
    .option('--output <dir>', 'where the model bundle is written', './models')
    .option('--tune', 'hyperparameter tuning before the final fit')
    .option('--trials <n>', 'tuning trials (implies --tune)', integerOption('--trials', 1))
    .option('--mlflow', 'log the run to MLflow (MLFLOW_TRACKING_URI)')
    .option('--config <dir>', 'a directory with config.yaml and the model YAML (default: the packaged configuration)')
    .option('--no-report', 'skip the HTML training report (<output>/<model>.report.html)')
    .addOption(new Option('--seed <n>', 'seed of synthetic data and training').default(42).argParser(integerOption('--seed', 0)))
    .addHelpText(
      'after',
      `
Examples:
  $ kdap train budget --output ./models
  $ kdap train budget --data ./spend.csv --target revenue --output ./models
  $ kdap train budget --data ./marketing.csv --channel-column medium --spend-column cost --date-column day --target revenue
  $ kdap train budget --samples 100000 --json > result.json
  $ kdap synth propensity --samples 20000 --output ./data/customers.csv
  $ kdap train propensity --data ./data/customers.csv --target converted
  $ kdap train anomaly --samples 5000 --output ./models
  $ kdap train anomaly --data ./kpis.csv --date-column day --value-column amount --series-column campaign,kpi`,
    )
    .action(async (modelName: string, flags: TrainFlags, command: Command) => {
      const { printTrainSummary, trainCommand } = require('./commands/train') as typeof import('./commands/train');
      await respond(command, (ctx) => trainCommand(modelName, flags, ctx), printTrainSummary);
    });

  program
    .command('score')
    .description('score a data file with a trained model bundle; the output format follows its extension')
    .requiredOption('--model <dir>', 'the model bundle directory (e.g. ./models/budget_optimizer)')
    .requiredOption('--data <file>', 'records to score (CSV, Parquet, Arrow IPC, JSON/NDJSON)')
    .requiredOption('--output <file>', 'results file: .csv, .tsv, .parquet, .json, .ndjson or .jsonl')
    .addHelpText('after', `
Example:
  $ kdap score --model ./models/budget_optimizer --data ./requests.csv --output ./recommendations.json`)
    .action(async (flags: { model: string; data: string; output: string }, command: Command) => {
      const { scoreCommand } = require('./commands/score') as typeof import('./commands/score');
      await respond(command, (ctx) => scoreCommand(flags, ctx), (result, { out }) => out.result(`Scored ${result.rows.toLocaleString('en-US')} rows with the ${result.model} model: ${result.output}`));
    });

  program
    .command('synth')
    .description('write seeded synthetic training data for a model (CSV, Parquet or JSON by extension)')
    .addArgument(modelArgument('the model whose data to make'))
    .option('--samples <n>', 'rows (budget: channel-days)', integerOption('--samples', 1))
    .requiredOption('--output <file>', 'the file to write')
    .addOption(new Option('--seed <n>', 'seed').default(42).argParser(integerOption('--seed', 0)))
    .addHelpText('after', `
Example:
  $ kdap synth budget --samples 5000 --output ./data/spend.csv`)
    .action(async (modelName: string, flags: { samples?: number; output: string; seed: number }, command: Command) => {
      const { synthCommand } = require('./commands/synth') as typeof import('./commands/synth');
      await respond(command, (ctx) => synthCommand(modelName, flags, ctx), (result, { out }) => out.result(`Wrote ${result.rows.toLocaleString('en-US')} rows x ${result.columns.length} columns to ${result.output}`));
    });

  program
    .command('info')
    .description('what a model bundle holds: kind, versions, features, metrics, integrity')
    .argument('<dir>', 'the model bundle directory')
    .action(async (dir: string, _flags: unknown, command: Command) => {
      const { infoCommand } = require('./commands/info') as typeof import('./commands/info');
      await respond(command, (ctx) => infoCommand(dir, ctx), (info, { out }) => printInfo(info, out));
    });

  program
    .command('serve')
    .description('serve model bundles over HTTP (Azure ML inference contract: GET /, GET /ready, POST /score, GET /swagger.json)')
    .requiredOption('--model <dir...>', 'model bundle directories; each is served at /score/<directory name>')
    .addOption(new Option('--port <n>', 'port').default(5001).argParser(integerOption('--port', 0)))
    .option('--host <address>', 'address to listen on (0.0.0.0 in a container)', '127.0.0.1')
    .option('--key-file <file>', 'file holding the key clients send as "Authorization: Bearer <key>" (or set KDAP_SCORING_KEY)')
    .addOption(new Option('--body-limit <bytes>', 'largest request body').default(1024 * 1024).argParser(integerOption('--body-limit', 1024)))
    .addHelpText('after', `
Example:
  $ KDAP_SCORING_KEY=$(openssl rand -hex 24) kdap serve --model ./models/budget_optimizer --port 5001
  $ curl -s localhost:5001/score -H "Authorization: Bearer $KDAP_SCORING_KEY" -H 'content-type: application/json' \\
      -d '{"data": [{"channel_id": "search", "current_spend": 5000}]}'`)
    .action((flags: { model: string[]; port: number; host: string; keyFile?: string; bodyLimit: number }, command: Command) =>
      respond(command, (ctx) => (require('./commands/serve') as typeof import('./commands/serve')).serveCommand(flags, ctx, streams.env)),
    );

  program
    .command('deploy')
    .description('deploy a model bundle to an Azure ML managed online endpoint: register, create the endpoint (key auth), deploy the scoring image with 100% traffic, optionally test (AZURE_SUBSCRIPTION_ID, AZURE_RESOURCE_GROUP, AZURE_ML_WORKSPACE, AZURE_REGION)')
    .requiredOption('--model-path <dir>', 'the model bundle directory (e.g. ./models/budget_optimizer)')
    .requiredOption('--model-name <name>', 'Azure ML model name')
    .requiredOption('--endpoint-name <name>', 'endpoint name (unique in the region)')
    .option('--deployment-name <name>', 'deployment name', 'blue')
    .option('--scoring-script <path>', "the Python module's scoring script, which picks the model: score_budget.py, score_propensity.py or score_anomaly.py")
    .addOption(new Option('--model-kind <kind>', 'the model to serve (default: the bundle\'s kind)').choices(MODEL_NAMES))
    .option('--instance-type <type>', 'VM size', 'Standard_DS2_v2')
    .addOption(new Option('--instance-count <n>', 'number of instances').default(1).argParser(integerOption('--instance-count', 1)))
    .option('--image <ref>', 'the scoring image in a registry, built from packages/deploy/Dockerfile (e.g. myacr.azurecr.io/kdap-scoring:0.1.0)')
    .option('--build-context <dir>', 'or a directory (the repository root) Azure builds the image from')
    .option('--dockerfile <path>', 'Dockerfile inside --build-context (default packages/deploy/Dockerfile)')
    .option('--test-data <file>', 'JSON records ([...] or {"data": [...]}) to score through the endpoint once deployed')
    .addHelpText('after', `
Examples:
  $ export AZURE_SUBSCRIPTION_ID=... AZURE_RESOURCE_GROUP=kdap-rg AZURE_ML_WORKSPACE=kdap-ml-workspace AZURE_REGION=eastus
  $ az login
  $ kdap deploy --model-path ./models/budget_optimizer --model-name kdap-budget-optimizer \\
      --endpoint-name kdap-budget-optimizer --deployment-name budget-optimizer-v1 \\
      --scoring-script score_budget.py --image myacr.azurecr.io/kdap-scoring:0.1.0 --test-data ./request.json`)
    .action(async (flags: DeployFlags, command: Command) => {
      const out = outputFor(command);
      const ctx = makeContext(out);
      const { deployCommand, printDeployResult } = require('./commands/deploy') as typeof import('./commands/deploy');
      const result = await deployCommand(flags, ctx);
      if (out.json) out.resultJson(result);
      else printDeployResult(result, ctx);
    });

  return program;
}

const SIGNATURE_TEXT: Record<NonNullable<BundleInfo['signature']>, string> = {
  verified: 'verified with KDAP_BUNDLE_KEY',
  unverified: 'signed, not checked: set KDAP_BUNDLE_KEY to verify it (only checksums were checked)',
  unsigned: 'none (checksums catch accidental edits only; sign with KDAP_BUNDLE_KEY)',
};

function printInfo(info: BundleInfo, out: Output): void {
  const line = (k: string, v: string) => out.result(`${out.dim(k.padEnd(12))} ${v}`);
  line('bundle', info.bundle);
  line('kind', info.kind);
  line('created', info.created_at);
  line('integrity', info.integrity);
  if (info.signature !== null) line('signature', SIGNATURE_TEXT[info.signature]);
  line('versions', Object.entries(info.versions).map(([k, v]) => `${k} ${v}`).join(', '));
  line('target', info.target ?? '(none)');
  const columns = Object.entries(info.columns);
  if (columns.length > 0) line('columns', columns.map(([role, c]) => `${role}: ${([] as string[]).concat(c).join(', ')}`).join('; '));
  line('features', `${info.features.length}: ${info.features.map((f) => f.name).join(', ')}`);
  for (const [k, v] of Object.entries(info.metrics)) line(`  ${k}`, v === null ? 'n/a' : String(Number(v.toPrecision(6))));
  line('files', Object.entries(info.files).map(([k, v]) => `${k} (${v.bytes} B)`).join(', '));
}
