import { readFile } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { bundleKeyFromEnv } from '@kdap/core';
import { BundleError, ParameterError } from '@kdap/errors';
import { readTable, Table, writeTable, type DataRecord } from '@kdap/preprocessing';
import type { CommandContext } from '../context';
import { CLI_MODELS } from '../models';
import { writeRecordsFile } from '../records-file';

export interface ScoreFlags {
  model: string;
  data: string;
  output: string;
}

/** `kdap score`: a bundle scores a file; results go to CSV/Parquet/JSON by the output's extension. */
export async function scoreCommand(flags: ScoreFlags, ctx: CommandContext): Promise<{ model: string; bundle: string; rows: number; output: string }> {
  const bundle = path.resolve(ctx.cwd, flags.model);
  const kind = await bundleKind(bundle, flags.model);
  const entry = Object.values(CLI_MODELS).find((m) => m.kind === kind);
  if (entry === undefined) {
    throw new BundleError(flags.model, `Model bundle '${flags.model}' holds a '${kind}' model, which this kdap cannot score yet (it scores: ${Object.keys(CLI_MODELS).join(', ')}).`);
  }
  const output = path.resolve(ctx.cwd, flags.output);
  const isJson = /\.(json|ndjson|jsonl)$/i.test(output);
  if (!isJson && !/\.(csv|tsv|parquet)$/i.test(output)) {
    throw new ParameterError('output', `--output must end in .csv, .tsv, .parquet, .json, .ndjson or .jsonl (the format follows the extension). Got '${flags.output}'.`);
  }
  const table = await readTable(path.resolve(ctx.cwd, flags.data));
  await mkdir(path.dirname(output), { recursive: true });
  const scorer = await entry.load(bundle, { signingKey: bundleKeyFromEnv(ctx.env) });
  try {
    if (!isJson && scorer.scoreColumns !== undefined) {
      // Columnar all the way (1,000,000 propensity rows: no record objects between the model and Parquet).
      const scored = scorer.scoreColumns(table);
      await writeTable(scored, output);
      return { model: kind, bundle, rows: scored.rowCount, output };
    }
    const results = await scorer.scoreTable(table);
    if (isJson) await writeRecordsFile(output, results);
    else await writeTable(Table.fromRecords(results.map(flattenRecord)), output);
    return { model: kind, bundle, rows: results.length, output };
  } finally {
    scorer.dispose?.();
  }
}

/** The model kind a bundle's manifest declares, with a clear error when it is not a bundle. */
export async function bundleKind(dir: string, given: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path.join(dir, 'manifest.json'), 'utf8');
  } catch {
    throw new BundleError(given, `There is no model bundle at '${given}' (no manifest.json). Give the directory that 'kdap train' wrote, e.g. ./models/budget_optimizer.`);
  }
  try {
    const kind = (JSON.parse(text) as { kind?: unknown }).kind;
    if (typeof kind === 'string') return kind;
  } catch {
    // fall through
  }
  throw new BundleError(given, `Model bundle '${given}': manifest.json is not a KDAP manifest (unreadable JSON or no 'kind'). Train the model again.`);
}

/** Tabular files hold scalars: nested values (lists, objects) become JSON text in their cell. */
function flattenRecord(record: Record<string, unknown>): DataRecord {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) out[k] = v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
  return out as DataRecord;
}
