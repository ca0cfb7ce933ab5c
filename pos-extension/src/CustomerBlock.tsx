import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";

interface Summary {
  orderCount: number;
  onlineOrderCount: number;
  posOrderCount: number;
  totalSpent: string;
  lastOrderAt: string | null;
}

export default async () => {
  render(<CustomerBlock />, document.body);
};

function CustomerBlock() {
  const [summary, setSummary] = useState<Summary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const t = shopify.i18n.translate;

  useEffect(() => {
    // Relative URLs resolve against the app URL and carry the POS session token automatically.
    fetch(`/api/pos/customer-summary?customerId=${shopify.customer.id}`)
      .then(async (response) => {
        const body = await response.json();
        if (!response.ok) throw new Error(body.code ?? String(response.status));
        setSummary(body as Summary);
      })
      .catch((e: Error) => setError(e.message));
  }, []);

  return (
    <s-pos-block heading={t("heading")}>
      <s-stack direction="block" gap="small-200">
        {error ? <s-text>{t("error", { code: error })}</s-text> : null}
        {!error && !summary ? <s-text>{t("loading")}</s-text> : null}
        {summary && summary.orderCount === 0 ? <s-text>{t("none")}</s-text> : null}
        {summary && summary.orderCount > 0 ? (
          <>
            <s-text>{t("orders", { count: summary.orderCount })}</s-text>
            <s-text>{t("online", { count: summary.onlineOrderCount })}</s-text>
            <s-text>{t("pos", { count: summary.posOrderCount })}</s-text>
            <s-text>{t("spent", { amount: summary.totalSpent })}</s-text>
            {summary.lastOrderAt ? <s-text>{t("lastVisit", { date: new Date(summary.lastOrderAt).toLocaleDateString(shopify.locale.current.value) })}</s-text> : null}
          </>
        ) : null}
      </s-stack>
    </s-pos-block>
  );
}
