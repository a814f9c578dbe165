/**
 * Test support for packages that implement a model: the Trainer contract suite (run it from a
 * jest test file), seeded fixtures, an in-memory FeatureTable and the scikit-learn reference
 * Python. Imported as '@kdap/core/testing'; not part of the runtime API.
 */
export { categoriesOf, numbersOf, tableOf, withColumn, withoutColumns } from './in-memory-table';
export { referencePython, runPythonJson } from './reference-python';
export { SeededRandom } from './seeded-random';
export { runTrainerContract } from './trainer-contract';
export type { TrainerContractSubject } from './trainer-contract';
