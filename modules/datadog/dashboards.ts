import { DashboardJson } from "@cdktf/provider-datadog/lib/dashboard-json";
import { Construct } from "constructs";
import { businessMetric } from "./slos";

/** What the dashboards chart: the environment's resources by name, and its SLOs and SLAs. */
export interface DashboardSubjects {
  readonly environment: string;
  readonly cluster: string;
  readonly loadBalancer: string;
  /** Catalogue services: name, ECS service name and target group name. */
  readonly services: readonly { readonly name: string; readonly ecsServiceName: string; readonly targetGroupName: string }[];
  readonly database: string;
  readonly drReplica?: { readonly identifier: string; readonly region: string };
  readonly cacheGroup?: string;
  readonly searchDomain?: string;
  readonly broker?: string;
  readonly functions: readonly string[];
  /** SLO ids (Terraform references) by key. */
  readonly slos: Readonly<Record<string, string>>;
  readonly businessSlas: readonly { readonly key: string; readonly description: string; readonly targetPercent: number }[];
  /** Tag of the owning team: dashboard tags may only be `team:<name>`. */
  readonly team: string;
}

/** A widget in Datadog's API shape (https://docs.datadoghq.com/api/latest/dashboards/). */
type Widget = { definition: Record<string, unknown> };

export interface TemplateVariable {
  readonly name: string;
  readonly prefix: string;
  readonly defaults: readonly string[];
  readonly available_values?: readonly string[];
}

export interface DashboardDocument {
  readonly title: string;
  readonly description: string;
  readonly layout_type: "ordered";
  readonly reflow_type: "auto";
  readonly template_variables: readonly TemplateVariable[];
  readonly widgets: readonly Widget[];
  readonly tags: readonly string[];
}

export const DASHBOARD_KINDS = ["operational", "application", "business-process", "infrastructure", "executive"] as const;
export type DashboardKind = (typeof DASHBOARD_KINDS)[number];

// Widgets filter with `$environment`; service-scoped ECS widgets add `$service` (ECS's servicename tag).
const ENV = "$environment";
const ECS_SCOPE = "$environment,$service";

function timeseries(title: string, queries: readonly string[], options: { display?: "line" | "bars" | "area"; markers?: readonly { value: string; label: string }[] } = {}): Widget {
  return {
    definition: {
      type: "timeseries",
      title,
      requests: [
        {
          queries: queries.map((query, index) => ({ data_source: "metrics", name: `query${index + 1}`, query })),
          formulas: queries.map((_, index) => ({ formula: `query${index + 1}` })),
          response_format: "timeseries",
          display_type: options.display ?? "line",
        },
      ],
      ...(options.markers ? { markers: options.markers.map((marker) => ({ value: marker.value, display_type: "error dashed", label: marker.label })) } : {}),
    },
  };
}

function queryValue(title: string, query: string, options: { precision?: number; unit?: string; formula?: string; extraQueries?: readonly string[] } = {}): Widget {
  const queries = [query, ...(options.extraQueries ?? [])];
  return {
    definition: {
      type: "query_value",
      title,
      precision: options.precision ?? 2,
      ...(options.unit ? { custom_unit: options.unit } : {}),
      requests: [
        {
          queries: queries.map((text, index) => ({ data_source: "metrics", name: `query${index + 1}`, query: text, aggregator: "sum" })),
          formulas: [{ formula: options.formula ?? "query1" }],
          response_format: "scalar",
        },
      ],
    },
  };
}

function group(title: string, widgets: readonly Widget[]): Widget {
  return { definition: { type: "group", title, layout_type: "ordered", widgets } };
}

function note(content: string): Widget {
  return { definition: { type: "note", content, background_color: "white", font_size: "14", text_align: "left", show_tick: false, has_padding: true } };
}

function monitorSummary(title: string, query: string): Widget {
  return { definition: { type: "manage_status", title, query, summary_type: "monitors", display_format: "countsAndList", sort: "status,asc", color_preference: "text", hide_zero_counts: true } };
}

function targetGroupOf(name: string): string {
  return `targetgroup:targetgroup/${name}/*`;
}

/** The five dashboards, as API documents built from the subjects; pure, so tests can read them. */
export function dashboardDocuments(subjects: DashboardSubjects): Record<DashboardKind, DashboardDocument> {
  const lb = `loadbalancer:app/${subjects.loadBalancer}/*`;
  const variables: TemplateVariable[] = [
    { name: "environment", prefix: "environment", defaults: [subjects.environment], available_values: [subjects.environment] },
    { name: "service", prefix: "servicename", defaults: ["*"], available_values: subjects.services.map((service) => service.ecsServiceName) },
  ];
  const document = (title: string, description: string, widgets: Widget[]): DashboardDocument => ({
    title: `LMA ${subjects.environment}: ${title}`,
    description: `${description} Managed by Terraform (stacks/observability-stack.ts); edits in the UI are overwritten.`,
    layout_type: "ordered",
    reflow_type: "auto",
    template_variables: variables,
    widgets,
    tags: [`team:${subjects.team}`],
  });

  const perService = subjects.services.map((service) => {
    const tg = `{${ENV},${targetGroupOf(service.targetGroupName)}}`;
    const ecs = `{${ENV},servicename:${service.ecsServiceName}}`;
    return group(service.name, [
      timeseries("Requests", [`sum:aws.applicationelb.request_count${tg}.as_count()`], { display: "bars" }),
      timeseries("5xx", [`sum:aws.applicationelb.httpcode_target_5xx${tg}.as_count()`], { display: "bars" }),
      timeseries("p95 response time (s)", [`max:aws.applicationelb.target_response_time.p95${tg}`]),
      timeseries("CPU and memory (%)", [`avg:aws.ecs.service.cpuutilization${ecs}`, `avg:aws.ecs.service.memory_utilization${ecs}`]),
      timeseries("Running vs desired tasks", [`max:aws.ecs.service.running${ecs}`, `max:aws.ecs.service.desired${ecs}`]),
    ]);
  });

  const operational = document("Operational", "What is alerting now and each service's golden signals.", [
    monitorSummary("Alerting monitors", `tag:(environment:${ENV}.value) status:(alert OR warn OR "no data")`),
    ...perService,
  ]);

  const application = document("Application", "Golden signals of the services, side by side; filter with $service.", [
    timeseries("Requests by target group", [`sum:aws.applicationelb.request_count{${ENV}} by {targetgroup}.as_count()`], { display: "bars" }),
    timeseries("5xx by target group", [`sum:aws.applicationelb.httpcode_target_5xx{${ENV}} by {targetgroup}.as_count()`], { display: "bars" }),
    timeseries("p95 response time by target group (s)", [`max:aws.applicationelb.target_response_time.p95{${ENV}} by {targetgroup}`]),
    timeseries("CPU by service (%)", [`avg:aws.ecs.service.cpuutilization{${ECS_SCOPE}} by {servicename}`]),
    timeseries("Memory by service (%)", [`avg:aws.ecs.service.memory_utilization{${ECS_SCOPE}} by {servicename}`]),
    timeseries("Running tasks by service", [`max:aws.ecs.service.running{${ECS_SCOPE}} by {servicename}`]),
    timeseries("Database query p95 (s)", [`p95:lma.database.query.duration{${ENV}} by {service}`]),
  ]);

  const businessProcess = document("Business processes", "Share of each business process completed within its deadline.", [
    note("Each process emits `lma.business.<process>.completed` with `within_sla:true|false` (docs/observability.md)."),
    ...subjects.businessSlas.map((sla) => {
      const name = businessMetric(sla.key);
      return group(sla.description, [
        queryValue(`Within deadline (%) — target ${sla.targetPercent}`, `sum:${name}{${ENV},within_sla:true}.as_count()`, {
          extraQueries: [`sum:${name}{${ENV}}.as_count()`],
          formula: "100 * query1 / query2",
          unit: "%",
        }),
        timeseries("Completions, within and past the deadline", [`sum:${name}{${ENV}} by {within_sla}.as_count()`], { display: "bars" }),
      ]);
    }),
  ]);

  const lbScope = `{${ENV},${lb}}`;
  const infrastructure = document("Infrastructure", "Load balancer, data stores, queues and functions.", [
    group("Load balancer", [
      timeseries("Requests", [`sum:aws.applicationelb.request_count${lbScope}.as_count()`], { display: "bars" }),
      timeseries("Load balancer 5xx", [`sum:aws.applicationelb.httpcode_elb_5xx${lbScope}.as_count()`], { display: "bars" }),
      timeseries("Healthy hosts by target group", [`min:aws.applicationelb.healthy_host_count{${ENV}} by {targetgroup}`]),
    ]),
    group("PostgreSQL", [
      timeseries("CPU (%)", [`avg:aws.rds.cpuutilization{${ENV},dbinstanceidentifier:${subjects.database}}`]),
      timeseries("Connections", [`max:aws.rds.database_connections{${ENV},dbinstanceidentifier:${subjects.database}}`]),
      timeseries("Free storage (bytes)", [`min:aws.rds.free_storage_space{${ENV},dbinstanceidentifier:${subjects.database}}`]),
      ...(subjects.drReplica
        ? [
            timeseries(`DR replica lag, ${subjects.drReplica.region} (s)`, [`max:aws.rds.replica_lag{${ENV},dbinstanceidentifier:${subjects.drReplica.identifier},region:${subjects.drReplica.region}}`], {
              markers: [{ value: "y = 5", label: "RPO" }],
            }),
          ]
        : []),
    ]),
    ...(subjects.cacheGroup
      ? [
          group("Redis", [
            timeseries("Engine CPU (%)", [`max:aws.elasticache.engine_cpuutilization{${ENV},replication_group_id:${subjects.cacheGroup}}`]),
            timeseries("Memory (%)", [`max:aws.elasticache.database_memory_usage_percentage{${ENV},replication_group_id:${subjects.cacheGroup}}`]),
            timeseries("Evictions", [`sum:aws.elasticache.evictions{${ENV},replication_group_id:${subjects.cacheGroup}}.as_count()`], { display: "bars" }),
          ]),
        ]
      : []),
    ...(subjects.searchDomain
      ? [
          group("OpenSearch", [
            timeseries("Cluster red", [`max:aws.es.cluster_statusred{${ENV},domainname:${subjects.searchDomain}}`]),
            timeseries("JVM memory pressure (%)", [`max:aws.es.jvmmemory_pressure{${ENV},domainname:${subjects.searchDomain}}`]),
          ]),
        ]
      : []),
    ...(subjects.broker
      ? [
          group("RabbitMQ", [
            timeseries("Ready messages by queue", [`max:aws.amazonmq.message_ready_count{${ENV},broker:${subjects.broker}} by {queue}`]),
            timeseries("Memory used (bytes)", [`max:aws.amazonmq.rabbit_mqmem_used{${ENV},broker:${subjects.broker}}`]),
          ]),
        ]
      : []),
    ...(subjects.functions.length > 0
      ? [
          group("Lambda", [
            timeseries("Errors by function", [`sum:aws.lambda.errors{${ENV}} by {functionname}.as_count()`], { display: "bars" }),
            timeseries("Throttles by function", [`sum:aws.lambda.throttles{${ENV}} by {functionname}.as_count()`], { display: "bars" }),
          ]),
        ]
      : []),
  ]);

  const executive = document("Executive", "Service levels and business deadlines over 30 days.", [
    ...Object.entries(subjects.slos).map(([key, id]) => ({
      definition: { type: "slo", title: `SLO: ${key.replace("-", " ")}`, view_type: "detail", view_mode: "overall", slo_id: id, time_windows: ["7d", "30d"], show_error_budget: true },
    })),
    ...subjects.businessSlas.map((sla) =>
      queryValue(`${sla.description} within deadline (%) — target ${sla.targetPercent}`, `sum:${businessMetric(sla.key)}{${ENV},within_sla:true}.as_count()`, {
        extraQueries: [`sum:${businessMetric(sla.key)}{${ENV}}.as_count()`],
        formula: "100 * query1 / query2",
        unit: "%",
      }),
    ),
  ]);

  return { operational, application, "business-process": businessProcess, infrastructure, executive };
}

export interface PlatformDashboardsProps {
  readonly subjects: DashboardSubjects;
}

/** The five dashboards as `datadog_dashboard_json` (reviewable JSON, no 61 MB typed module). */
export class PlatformDashboards extends Construct {
  readonly documents: Record<DashboardKind, DashboardDocument>;
  readonly dashboards: ReadonlyMap<DashboardKind, DashboardJson>;

  constructor(scope: Construct, id: string, props: PlatformDashboardsProps) {
    super(scope, id);
    this.documents = dashboardDocuments(props.subjects);
    this.dashboards = new Map(DASHBOARD_KINDS.map((kind) => [kind, new DashboardJson(this, kind, { dashboard: JSON.stringify(this.documents[kind]) })]));
  }
}
