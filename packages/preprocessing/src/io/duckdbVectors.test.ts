import { bindings, useJavaScriptVectorCopy, vectorCopyPath } from './duckdbVectors';

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
