/**
 * Steps that follow an order being stored or changed (a new refund, a cancellation). Each later
 * capability adds its step here: attach the order to a unified profile (#4), earn or claw back
 * points (#5). Every step must be idempotent: the job can run more than once.
 */
/** A step receives the orders of one batch (up to 500) so it can work on them set-wise. */
export type OrderStep = (input: { shop: string; orderGids: string[] }) => Promise<void>;

const steps: OrderStep[] = [];

export function registerOrderStep(step: OrderStep): void {
  steps.push(step);
}

export async function runOrderStoredSteps(input: { shop: string; orderGids: string[] }): Promise<void> {
  for (const step of steps) await step(input);
}
