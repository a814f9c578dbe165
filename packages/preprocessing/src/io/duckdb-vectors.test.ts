import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as DuckDBVectorsModule from './duckdb-vectors';
import { bindings, useJavaScriptVectorCopy, vectorCopyPath } from './duckdb-vectors';
import type * as ReadTableModule from './read-table';
import { readTable } from './read-table';

describe('vectorCopyPath', () => {
  afterEach(() => useJavaScriptVectorCopy(false));

  test('uses @kdap/duckdb-vectors, attached to the DuckDB that @duckdb/node-api loaded', () => {
    // The JavaScript copy is a fallback for a missing addon; in this build the addon must attach.
    expect(vectorCopyPath()).toEqual({ path: 'native', duckdb: bindings.library_version() });
  });

  test('can be forced to the JavaScript copy, and back', () => {
    useJavaScriptVectorCopy(true);
    expect(vectorCopyPath()).toEqual({ path: 'javascript', reason: 'forced by useJavaScriptVectorCopy(true)' });
    useJavaScriptVectorCopy(false);
    expect(vectorCopyPath().path).toBe('native');
  });
});

describe('without the addon', () => {
  test('reads fall back to the JavaScript copy, say why, and give the same values', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'kdap-no-addon-'));
    try {
      const file = path.join(directory, 'x.csv');
      const rows = Array.from({ length: 5000 }, (_, i) => `${i},${i % 7 === 0 ? '' : i / 8},${['a', 'b'][i % 2]}`);
      fs.writeFileSync(file, `n,x,s\n${rows.join('\n')}\n`);
      const withAddon = await readTable(file);
      let isolated: typeof DuckDBVectorsModule | undefined;
      let readWithoutAddon: typeof ReadTableModule.readTable | undefined;
      jest.isolateModules(() => {
        // As if the addon was never built: attaching throws what @kdap/duckdb-vectors throws then.
        jest.doMock('@kdap/duckdb-vectors', () => ({
          attachToDuckDB: () => {
            throw new Error('The duckdb-vectors addon is not built (build/Release/duckdb_vectors.node is missing).');
          },
        }));
        isolated = require('./duckdb-vectors') as typeof DuckDBVectorsModule;
        readWithoutAddon = (require('./read-table') as typeof ReadTableModule).readTable;
      });
      if (isolated === undefined || readWithoutAddon === undefined) throw new Error('modules not loaded');
      const read = await readWithoutAddon(file);
      expect(isolated.vectorCopyPath()).toEqual({ path: 'javascript', reason: 'The duckdb-vectors addon is not built (build/Release/duckdb_vectors.node is missing).' });
      expect(read.toRecords()).toEqual(withAddon.toRecords());
      // The module this file imported normally still uses the addon.
      expect(vectorCopyPath().path).toBe('native');
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});
