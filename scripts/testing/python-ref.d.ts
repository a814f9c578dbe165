export declare const repoRoot: string;
/** The reference interpreter: $KDAP_PYTHON or <repo>/.venv-ref/bin/python. */
export declare function refPython(): string;
/** Runs a Python script (a path, or a name in benchmarks/python) with arguments; returns its stdout. */
export declare function runPython(script: string, args: string[], options?: {
    timeoutMs?: number;
}): string;
//# sourceMappingURL=python-ref.d.ts.map