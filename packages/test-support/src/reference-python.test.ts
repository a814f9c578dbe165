import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { referencePython, runPythonScript } from './reference-python';

describe('referencePython', () => {
  const saved = process.env.KDAP_PYTHON;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kdap-python-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env.KDAP_PYTHON;
    else process.env.KDAP_PYTHON = saved;
  });

  /** A stand-in "python" that behaves like one without scikit-learn, or with another version. */
  function fakePython(script: string): string {
    const path = join(dir, 'python');
    writeFileSync(path, `#!/bin/sh\n${script}\n`);
    chmodSync(path, 0o755);
    return path;
  }

  it('fails (never skips) with the command to run when the environment is missing', () => {
    process.env.KDAP_PYTHON = '/nonexistent/.venv-ref/bin/python';
    expect(() => referencePython()).toThrow(
      'The Python reference environment is missing: /nonexistent/.venv-ref/bin/python does not exist. Run `bash scripts/python-ref.sh` from the repository root (or set KDAP_PYTHON to a Python with scikit-learn 1.9.1).',
    );
  });

  it('fails when that Python has no scikit-learn', () => {
    process.env.KDAP_PYTHON = fakePython(`echo "importlib.metadata.PackageNotFoundError: No package metadata was found for scikit-learn" >&2; exit 1`);
    expect(() => referencePython()).toThrow(
      `The Python reference environment at ${process.env.KDAP_PYTHON} has no scikit-learn (importlib.metadata.PackageNotFoundError: No package metadata was found for scikit-learn). Run \`bash scripts/python-ref.sh\``,
    );
  });

  it('fails on another scikit-learn version', () => {
    process.env.KDAP_PYTHON = fakePython('echo 1.4.2');
    expect(() => referencePython()).toThrow('The Python reference environment has scikit-learn 1.4.2, parity is defined against 1.9.1.');
  });
});

describe('runPythonScript', () => {
  it('runs a script from benchmarks/python by name and an absolute path as given', () => {
    expect(() => runPythonScript('no_such_script.py')).toThrow(/benchmarks\/python\/no_such_script\.py failed \(exit 2\)/);
    const script = join(mkdtempSync(join(tmpdir(), 'kdap-python-')), 'echo.py');
    writeFileSync(script, 'import sys; print(sys.argv[1:], sys.stdin.read())');
    expect(runPythonScript(script, ['a'], { input: 'from stdin' })).toBe("['a'] from stdin\n");
    rmSync(dirname(script), { recursive: true });
  });
});
