import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError, ParameterError } from '../errors';
import { Table } from '../table/Table';
import { temporaryDirectory } from '../testing/python';
import { writeAtomically } from './atomicWrite';
import { readTable } from './readTable';
import { writeTable } from './writeTable';

const directory = temporaryDirectory('write');
afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));
const table = Table.fromRecords([
  { name: 'a,b', quote: 'say "hi"', value: 1.25, when: new Date('2024-05-01T10:30:00.000Z') },
  { name: 'line\nbreak', quote: null, value: null, when: null },
]);

describe('writeTable', () => {
  it('quotes delimiters, quotes and newlines; keeps times to the millisecond', async () => {
    const target = path.join(directory, 'quoted.csv');
    await writeTable(table, target);
    expect(fs.readFileSync(target, 'utf8')).toBe('name,quote,value,when\n"a,b","say ""hi""",1.25,2024-05-01T10:30:00.000\n"line\nbreak",,,\n');
    const parquet = path.join(directory, 'quoted.parquet');
    await writeTable(table, parquet);
    expect((await readTable(parquet)).toRecords()).toEqual(table.toRecords());
  });

  it('refuses unknown formats and missing directories', async () => {
    await expect(writeTable(table, path.join(directory, 'x.json'))).rejects.toThrow(ParameterError);
    await expect(writeTable(table, path.join(directory, 'x.json'))).rejects.toThrow(
      `writeTable writes 'csv', 'tsv' and 'parquet' files. Got "json" (from '${path.join(directory, 'x.json')}').`,
    );
    const missing = path.join(directory, 'no', 'such', 'dir', 'x.csv');
    await expect(writeTable(table, missing)).rejects.toThrow(DataError);
    await expect(writeTable(table, missing)).rejects.toThrow(
      `Cannot write '${missing}': the directory '${path.dirname(missing)}' does not exist. Create it first.`,
    );
    await expect(writeTable({} as Table, path.join(directory, 'x.csv'))).rejects.toThrow("The 'table' argument of writeTable must be a Table. Got {}.");
  });

  it('a failed write leaves the previous file intact and no temporary file behind', async () => {
    const target = path.join(directory, 'keep.csv');
    fs.writeFileSync(target, 'old content\n');
    await expect(
      writeAtomically(target, (temporaryPath) => {
        fs.writeFileSync(temporaryPath, 'partial');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(fs.readFileSync(target, 'utf8')).toBe('old content\n');
    expect(fs.readdirSync(directory).filter((name) => name.includes('keep.csv') && name !== 'keep.csv')).toEqual([]);
  });
});
