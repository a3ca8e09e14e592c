export { ALLOW_LIST_FILE, AllowListError, type Approval, type DestructiveAction, parseAllowList, readAllowList } from "./allow-list";
export {
  countChanges,
  type Finding,
  formatVerdict,
  type GuardedPlan,
  guardPlan,
  type GuardVerdict,
  type PlanCounts,
  VERDICT_MARKDOWN_HEADER,
  verdictMarkdownRow,
} from "./guard";
export { AUDIT_LOG_GROUP_PATTERNS, STATEFUL_RESOURCE_TYPES, statefulKind } from "../../lib/stateful-resources";
export { environmentOfStack } from "./stack-environment";
