/**
 * Historical backfill through bulk operations (#3 item 4).
 */
export async function handleBulkOperationFinished(_input: { shop: string; bulkOperationId: string; status: string }): Promise<void> {
  throw new Error("backfill is not built yet (#3)");
}
