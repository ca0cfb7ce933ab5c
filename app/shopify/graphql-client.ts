/**
 * The one shape every Admin API adapter accepts: the `graphql` function of an admin context
 * (`admin.graphql` from authenticate.admin / unauthenticated.admin), as in Shopify's example apps.
 */
export type AdminGraphql = (
  query: string,
  options?: { variables?: Record<string, unknown> },
) => Promise<Response>;

export class ShopifyGraphqlError extends Error {
  constructor(
    message: string,
    readonly details: unknown,
  ) {
    super(message);
    this.name = "ShopifyGraphqlError";
  }
}

/** Runs a query and returns its `data`; top-level GraphQL errors become a ShopifyGraphqlError. */
export async function runGraphql<T>(graphql: AdminGraphql, query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await graphql(query, variables ? { variables } : undefined);
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (body.errors || !body.data) throw new ShopifyGraphqlError("Shopify answered with GraphQL errors", body.errors);
  return body.data;
}
