import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ParameterError } from '@kdap/errors';
import { writeTable } from '@kdap/preprocessing';
import type { CommandContext } from '../context';
import { CLI_MODELS } from '../models';
import { writeRecordsFile } from '../records-file';

export interface SynthFlags {
  samples?: number;
  output: string;
  seed: number;
}

/** `kdap synth <model>`: seeded synthetic training data in the model's shape, to CSV/Parquet/JSON by extension. */
export async function synthCommand(modelName: string, flags: SynthFlags, ctx: CommandContext): Promise<{ model: string; output: string; rows: number; columns: string[] }> {
  const model = CLI_MODELS[modelName]!;
  if (!/\.(csv|tsv|parquet|json|ndjson|jsonl)$/i.test(flags.output)) {
    throw new ParameterError('output', `--output must end in .csv, .tsv, .parquet, .json, .ndjson or .jsonl (the format follows the extension). Got '${flags.output}'.`);
  }
  const samples = flags.samples ?? model.defaultSamples;
  const table = model.synthesize(samples, flags.seed);
  const file = path.resolve(ctx.cwd, flags.output);
  await mkdir(path.dirname(file), { recursive: true });
  if (/\.(json|ndjson|jsonl)$/i.test(file)) await writeRecordsFile(file, table.toRecords());
  else await writeTable(table, file);
  return { model: model.kind, output: file, rows: table.rowCount, columns: [...table.columnNames] };
}
