/**
 * Points by expiry month as a stacked bar chart (available / pending / expired). polaris-viz measures its
 * container with ResizeObserver, which does not exist on the server: the chart renders after
 * hydration, and the table next to it carries the same numbers for the server render.
 */
import { BarChart, PolarisVizProvider } from "@shopify/polaris-viz";
import { useEffect, useState } from "react";

export interface ExpiryChartSeries {
  name: string;
  color?: string;
  data: Array<{ key: string; value: number }>;
}

export function ExpiryChart({ series, emptyText }: { series: ExpiryChartSeries[]; emptyText: string }) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  if (!mounted) return <div style={{ height: 280 }} />;
  return (
    <PolarisVizProvider>
      <div style={{ height: 280 }}>
        <BarChart data={series} type="stacked" theme="Light" emptyStateText={emptyText} />
      </div>
    </PolarisVizProvider>
  );
}
