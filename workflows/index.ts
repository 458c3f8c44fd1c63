// The worker bundles this file: every workflow type is exported from here.
export { jointCommission } from './jointCommission';
export { delegationRegister } from './delegations';
export { dispute } from './dispute';
export { evaluationPanel } from './evaluationPanel';
export { resourceAllocation } from './referral';
