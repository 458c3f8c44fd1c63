// The test worker's bundle: the product's workflows plus test-only probes.
export * from '../../workflows';
export { taskProbe } from './taskProbe';
export { continueAsNewProbe } from './continueAsNewProbe';
