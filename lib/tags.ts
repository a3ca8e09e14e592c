import { Aspects, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import type { EnvironmentConfig } from "../environments/types";

/** The tags every resource carries, through the AWS provider's `default_tags`. */
export function defaultTags(config: EnvironmentConfig): Record<string, string> {
  return {
    Project: "lma",
    Environment: config.name,
    Component: "platform",
    Owner: config.tags.owner,
    CostCenter: config.tags.costCenter,
    DataClassification: config.tags.dataClassification,
    ManagedBy: "terraform-cdktf",
  };
}

interface Taggable {
  tags: Record<string, string>;
  readonly tagsInput?: Record<string, string>;
}

function isTaggable(node: IConstruct): node is IConstruct & Taggable {
  return "tagsInput" in node && "tags" in node;
}

class ComponentTag implements IAspect {
  constructor(private readonly component: string) {}

  visit(node: IConstruct): void {
    // An inner module's own Component tag wins over the enclosing one's.
    if (isTaggable(node) && !node.tagsInput?.Component) {
      node.tags = { ...node.tagsInput, Component: this.component };
    }
  }
}

/**
 * Tags every taggable resource under `scope` with `Component=<component>` (the default tag says
 * `platform`). Modules call it once on themselves, so cost and ownership reports split by module.
 */
export function tagComponent(scope: IConstruct, component: string): void {
  Aspects.of(scope).add(new ComponentTag(component));
}
