/** @type {import('@remix-run/dev').AppConfig} */
export default {
  ignoredRouteFiles: ["**/.*", "**/*.test.*"],
  appDirectory: "app",
  serverModuleFormat: "esm",
  serverPlatform: "node",
  // ESM-only dependencies that the server bundle must include rather than import at run time.
  serverDependenciesToBundle: [/^@shopify\/polaris-viz.*/, /^@juggle\/resize-observer/, /^d3-.*/],
  future: { v3_fetcherPersist: true, v3_relativeSplatPath: true, v3_throwAbortReason: true, v3_lazyRouteDiscovery: true },
};
