import type { ReactNode } from "react";
import { BlockStack, Card, Layout, Text } from "@shopify/polaris";

/**
 * One section of an admin page: a card with its heading, and either its content or, when there is
 * nothing to show, a subdued sentence saying so.
 */
export function SectionCard({ title, empty = false, emptyText, children }: { title: ReactNode; empty?: boolean; emptyText?: ReactNode; children?: ReactNode }) {
  return (
    <Layout.Section>
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {title}
          </Text>
          {empty ? (
            <Text as="p" tone="subdued">
              {emptyText}
            </Text>
          ) : (
            children
          )}
        </BlockStack>
      </Card>
    </Layout.Section>
  );
}
