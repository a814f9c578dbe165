/**
 * One contract for every reader: whatever the format, the same table reads back the same, and
 * the same mistakes raise the same typed errors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { temporaryDirectory } from '@kdap/test-support';
import { DataError, SchemaError } from '../errors';
import { Table } from '../table/table';
import { readTable } from './read-table';
import { writeTable } from './write-table';
import { ReservoirSample } from './reservoir-sample';

const directory = temporaryDirectory('contract');
afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

const table = Table.fromRecords(
  Array.from({ length: 40 }, (_, i) => ({
    channel_id: i % 7 === 0 ? null : ['search', 'social', 'email'][i % 3],
    current_spend: i % 5 === 0 ? null : 100 + i * 12.5,
    date: new Date(Date.UTC(2024, 0, 1 + i)),
  })),
);

type Writer = (target: string, source: Table) => Promise<void> | void;

function plainRecords(source: Table): Record<string, unknown>[] {
  return source.toRecords().map((r) => ({ ...r, date: r.date instanceof Date ? r.date.toISOString().slice(0, 10) : null }));
}

const WRITERS: readonly (readonly [string, string, Writer])[] = [
  ['csv', '.csv', (target, source) => writeTable(source, target)],
  ['tsv', '.tsv', (target, source) => writeTable(source, target)],
  ['parquet', '.parquet', (target, source) => writeTable(source, target)],
  ['arrow file', '.arrow', (target, source) => fs.writeFileSync(target, arrow.tableToIPC(source.toArrow(), 'file'))],
  ['arrow stream', '.arrows', (target, source) => fs.writeFileSync(target, arrow.tableToIPC(source.toArrow(), 'stream'))],
  ['json', '.json', (target, source) => fs.writeFileSync(target, JSON.stringify(plainRecords(source)))],
  ['ndjson', '.ndjson', (target, source) => fs.writeFileSync(target, plainRecords(source).map((r) => JSON.stringify(r)).join('\n'))],
];

describe.each(WRITERS)('reader contract: %s', (label, extension, write) => {
  const file = (name: string) => path.join(directory, `${label.replace(' ', '-')}-${name}${extension}`);

  it('reads back what was written, kinds included', async () => {
    const target = file('round');
    await write(target, table);
    const read = await readTable(target);
    expect(read.schema).toEqual({ channel_id: 'categorical', current_spend: 'numeric', date: 'date' });
    expect(read.toRecords()).toEqual(table.toRecords());
  });

  it('applies limit, seeded sample, rename and overrides the same way', async () => {
    const target = file('options');
    await write(target, table);
    expect((await readTable(target, { limit: 3 })).toRecords()).toEqual(table.head(3).toRecords());
    const sample = await readTable(target, { sample: { rows: 10, seed: 4 } });
    expect(sample.rowCount).toBe(10);
    expect((await readTable(target, { sample: { rows: 10, seed: 4 } })).toRecords()).toEqual(sample.toRecords());
    // Every format draws the same rows: one seeded reservoir over the rows in file order.
    const reservoir = new ReservoirSample(10, 4);
    const rowOfSlot: number[] = [];
    for (let row = 0; row < table.rowCount; row += 1) {
      const slot = reservoir.offer();
      if (slot >= 0) rowOfSlot[slot] = row;
    }
    const expectedRows = Array.from(reservoir.slotsInRowOrder(), (slot) => rowOfSlot[slot] as number);
    expect(sample.toRecords()).toEqual(table.take(expectedRows).toRecords());
    expect((await readTable(target, { rename: { current_spend: 'spend' } })).columnNames).toEqual(['channel_id', 'spend', 'date']);
    const error = await readTable(target, { columns: { nope: 'numeric' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaError);
    expect((error as Error).message).toMatch(/^The 'columns' option of (readTable|Table.fromRecords) names column 'nope'/);
  });

  it('refuses a missing file, an empty file and a table without rows', async () => {
    const missing = file('missing');
    await expect(readTable(missing)).rejects.toThrow(new DataError(`The file '${missing}' does not exist. Check the path (relative paths start at ${process.cwd()}).`));
    const empty = file('empty');
    fs.writeFileSync(empty, '');
    await expect(readTable(empty)).rejects.toThrow(`The file '${empty}' is empty (0 bytes). Write the data to it or pick another file.`);
    const noRows = file('no-rows');
    await write(noRows, table.slice(0, 0));
    const error = await readTable(noRows).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(new RegExp(`^The file '${noRows}' (has a header but no data rows|has no columns|is empty)`));
  });

  it('refuses an all-empty column unless its kind is declared', async () => {
    const target = file('all-null');
    const withEmpty = table.withColumn('empty', { kind: 'numeric', values: new Float64Array(table.rowCount).fill(NaN) });
    await write(target, withEmpty);
    const error = await readTable(target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toBe(
      `Column 'empty' of '${target}' is empty in every row. Drop it from the file, or declare its kind (e.g. { columns: { empty: 'numeric' } }) to keep it as all-missing.`,
    );
    const kept = await readTable(target, { columns: { empty: 'numeric' } });
    expect(Array.from(kept.numeric('empty').values).every(Number.isNaN)).toBe(true);
  });
});
