import { ApplicationFailure, type WorkflowInboundCallsInterceptor, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { isUnsealed, UNSEALED_PAYLOAD } from '../domain/sealedPayloads';

/**
 * Whoever reaches Temporal's port can send any workflow an update or signal, with any `by`. With
 * payload encryption on, what they send without the key arrives as the codec's "unsealed" value;
 * it is refused here, once for every update, signal and start, before any handler sees it.
 * (Validators add no history events, so refusing here changes no replay.)
 */
class RefuseUnsealed implements WorkflowInboundCallsInterceptor {
  validateUpdate: NonNullable<WorkflowInboundCallsInterceptor['validateUpdate']> = (input, next) => {
    if (input.args.some(isUnsealed)) throw ApplicationFailure.nonRetryable(UNSEALED_PAYLOAD.refused, 'NotFromTheService');
    next(input);
  };
  handleSignal: NonNullable<WorkflowInboundCallsInterceptor['handleSignal']> = async (input, next) => {
    // A signal cannot be refused to its sender: one that is not ours is dropped.
    if (input.args.some(isUnsealed)) return;
    return next(input);
  };
  execute: NonNullable<WorkflowInboundCallsInterceptor['execute']> = async (input, next) => {
    if (input.args.some(isUnsealed)) throw ApplicationFailure.nonRetryable(UNSEALED_PAYLOAD.refused, 'NotFromTheService');
    return next(input);
  };
}

export const interceptors: WorkflowInterceptorsFactory = () => ({ inbound: [new RefuseUnsealed()] });
