/**
 * @kdap/budget: the Budget Optimizer (ANL agent). `BudgetOptimizerTrainer` fits a LightGBM
 * response model of return on spend and context (plus interval quantile models);
 * `BudgetOptimizer` recommends a channel's optimal spend and allocates a total budget.
 */
export { BudgetOptimizerTrainer, CHANNEL_FEATURE } from './trainer';
export type { BudgetFitOptions } from './trainer';
export { DATE_COLUMN, MAX_MISSING_SPEND, MIN_ROWS_PER_CHANNEL } from './training-data';
export { BudgetOptimizer } from './optimizer';
export type { Allocation, AllocateOptions, ChannelAllocation, Recommendation, RecommendationStatus, ResponseCurve, ResponsePoint } from './optimizer';
export { BudgetResponseModel } from './response-model';
export type { ResponseState, SpendRange } from './response-model';
export type { ChannelRecord } from './records';
export type { HillCurve } from './hill-curve';
export { EFFECTIVE_SPEND } from './carryover';
