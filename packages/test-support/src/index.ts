/**
 * What the KDAP ML tests and benchmarks share (never published): one seeded generator, one runner of
 * the Python reference environment, a child-process runner, fixtures and assertions.
 */
export { maxDifference, maxScaledDifference } from './differences';
export { expectKdapError } from './expect-kdap-error';
export { readFloat32, temporaryDirectory, writeFloat32 } from './files';
export { fromPythonNumbers, pythonScript, referencePython, runPythonJson, runPythonScript, runPythonSnippet, type RunPythonOptions } from './reference-python';
export { repoRoot } from './repo-root';
export { SeededRandom } from './seeded-random';
export { tabularProblem, type TabularProblem } from './tabular-problem';
export { mixedObjective, type SuggestingTrial } from './tuning-objectives';
export { savedTuningSummary } from './tuned-bundle';
export { describeExit, runTsChild, type ChildResult } from './child-process';
export { freePort } from './free-port';
export { thrown } from './thrown';
