/**
 * A budget allocation that cannot satisfy its bounds: the minimums (plus locked spend) exceed the
 * total budget, the maximums cannot absorb it, or one channel's minimum is above its maximum.
 * `field` names the option at fault ('minSpend', 'maxSpend', 'locked', 'totalBudget').
 */
export class InfeasibleAllocationError extends Error {
  override readonly name = 'InfeasibleAllocationError';
  readonly code = 'ERR_KDAP_INFEASIBLE_ALLOCATION';
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}
