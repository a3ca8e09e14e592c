export * from "./alerting";
export * from "./dashboards";
export * from "./downtimes";
export * from "./integrations";
export * from "./platform-monitors";
export * from "./slos";
export * from "./synthetics";
