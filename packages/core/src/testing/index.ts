/**
 * Test support for packages that implement a model: the Trainer contract suite (run it from a
 * jest test file) and an in-memory FeatureTable. Imported as '@kdap/core/testing'; not part of the
 * runtime API. The seeded generator and the reference-Python runner are @kdap/test-support's.
 */
export { categoriesOf, numbersOf, tableOf, withColumn, withoutColumns } from './in-memory-table';
export { runTrainerContract } from './trainer-contract';
export type { TrainerContractSubject } from './trainer-contract';
