/**
 * Synthetic stacks for the per-resource and whole-stack benchmarks, in the engine's wire form.
 *
 * Built from what the engine really sends: the reference stacks (`stacks/`) are captured offline
 * (guard/capture.ts, as `npm run guard` does), and each copy of a stack's resources is renamed so
 * that URNs, names, parents, dependencies and property values that name a sibling stay consistent
 * within the copy and unique across copies. Each block adds resources the pack ignores (buckets,
 * functions, queues, ...) and application IAM roles and policies with known documents, so the
 * shares are those of a real account: about 1% databases, 1.5% backup selections, 2% vaults, 10%
 * IAM, the rest ignored.
 */
import { captureStack } from "../guard/capture";
import type { WireProperties, WireProvider, WireResource, WireValue } from "../guard/wire";
import { REPO_ROOT } from "./bench-support";

/** One block: a renamed copy of a reference stack, then this many resources of the filler below. */
const FILLER_PER_BLOCK = 106;
const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";
const PROVIDER_PREFIX = "pulumi:providers:";

export interface ReferenceStack {
  stack: string;
  /** The root stack resource and the providers: sent once, shared by every copy. */
  shared: WireResource[];
  /** Everything else: copied and renamed per block. */
  unit: WireResource[];
  /** The provider the unit's resources use most (the filler uses it too). */
  provider: WireProvider;
}

/** Captures a reference stack of this repository offline. */
export async function captureReferenceStack(stack: string): Promise<ReferenceStack> {
  const capture = await captureStack({ projectDir: REPO_ROOT, stack });
  if (capture.error) throw new Error(`capturing stack ${stack} failed: ${capture.error.message}`);
  const shared = capture.resources.filter((r) => r.type === ROOT_STACK_TYPE || r.type.startsWith(PROVIDER_PREFIX));
  const unit = capture.resources.filter((r) => !shared.includes(r));
  const providerUse = new Map<string, { provider: WireProvider; count: number }>();
  for (const r of unit) {
    if (!r.provider) continue;
    const entry = providerUse.get(r.provider.urn) ?? { provider: r.provider, count: 0 };
    entry.count++;
    providerUse.set(r.provider.urn, entry);
  }
  const provider = [...providerUse.values()].sort((a, b) => b.count - a.count)[0]?.provider;
  if (!provider) throw new Error(`stack ${stack} has no resource with a provider`);
  return { stack, shared, unit, provider };
}

/** A copy of `unit` whose own URNs and names end in `suffix`; references to them follow. */
export function renameUnit(unit: readonly WireResource[], suffix: string): WireResource[] {
  const renamed = new Map<string, string>();
  for (const r of unit) {
    renamed.set(r.urn, `${r.urn}${suffix}`);
    renamed.set(r.name, `${r.name}${suffix}`);
  }
  // A URN's parent chain holds types only, so renaming its last segment is enough.
  const rename = (text: string): string => renamed.get(text) ?? text;
  const renameValue = (value: WireValue): WireValue => {
    if (typeof value === "string") return rename(value);
    if (Array.isArray(value)) return value.map(renameValue);
    if (value !== null && typeof value === "object") {
      const out: { [key: string]: WireValue } = {};
      for (const [k, v] of Object.entries(value)) out[k] = renameValue(v);
      return out;
    }
    return value;
  };
  return unit.map((r) => {
    const copy: WireResource = {
      ...r,
      name: rename(r.name),
      urn: rename(r.urn),
      properties: renameValue(r.properties) as WireProperties,
    };
    if (r.options) copy.options = { ...r.options, parent: r.options.parent === undefined ? undefined : rename(r.options.parent) };
    if (r.dependencies) copy.dependencies = r.dependencies.map(rename);
    if (r.propertyDependencies) {
      copy.propertyDependencies = Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, urns]) => [k, urns.map(rename)]));
    }
    return copy;
  });
}

function urnOf(stack: string, type: string, name: string): string {
  return `urn:pulumi:${stack}::db-guardrails::${type}::${name}`;
}

/** The `index`-th resource the pack ignores or judges as application IAM, in the given block. */
function fillerResource(stack: string, provider: WireProvider, block: number, index: number, environment: string): WireResource {
  const tags = { environment, team: `team-${block % 7}`, service: `svc-${block}` };
  const base = (type: string, name: string, properties: WireProperties, dependencies: string[] = []): WireResource => ({
    type,
    name,
    urn: urnOf(stack, type, name),
    properties,
    options: { protect: false, ignoreChanges: [], deleteBeforeReplace: false, deleteBeforeReplaceDefined: false, additionalSecretOutputs: [], aliases: [] },
    provider,
    dependencies,
    propertyDependencies: {},
    custom: true,
  });
  const id = `b${block}-${index}`;
  const roleName = `app-${id}-role`;
  switch (index % 10) {
    case 0: {
      // Application role: Lambda trust, the most common role in an account.
      const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] };
      return base("aws:iam/role:Role", roleName, { assumeRolePolicy: JSON.stringify(trust), name: roleName, path: "/app/", tags });
    }
    case 1: {
      // Its inline policy: reads and writes application data, describes databases; every
      // twentieth one is over-broad on RDS (the kind of finding the IAM rules exist for).
      const broad = block % 20 === 0;
      const document = {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: `arn:aws:s3:::bucket-${id}/*` },
          { Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"], Resource: `arn:aws:dynamodb:us-east-1:111111111111:table/app-${id}` },
          { Effect: "Allow", Action: broad ? ["rds:*"] : ["rds:DescribeDBInstances", "rds:DescribeDBClusters"], Resource: "*" },
          { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*" },
        ],
      };
      const role = `app-b${block}-${index - 1}-role`; // the role of case 0, just before
      return base("aws:iam/rolePolicy:RolePolicy", `app-${id}-policy`, { name: `app-${id}-policy`, policy: JSON.stringify(document), role }, [urnOf(stack, "aws:iam/role:Role", role)]);
    }
    case 2:
      return base("aws:s3/bucketV2:BucketV2", `bucket-${id}`, { bucket: `bucket-${id}`, forceDestroy: false, tags });
    case 3:
      return base("aws:lambda/function:Function", `fn-${id}`, {
        name: `fn-${id}`,
        runtime: "nodejs20.x",
        handler: "index.handler",
        memorySize: 512,
        timeout: 30,
        role: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        environment: { variables: { TABLE: `app-${id}`, STAGE: environment } },
        tags,
      });
    case 4:
      return base("aws:sqs/queue:Queue", `queue-${id}`, { name: `queue-${id}`, visibilityTimeoutSeconds: 60, messageRetentionSeconds: 345600, tags });
    case 5:
      return base("aws:cloudwatch/logGroup:LogGroup", `logs-${id}`, { name: `/aws/lambda/fn-${id}`, retentionInDays: 30, tags });
    case 6:
      return base("aws:ec2/securityGroup:SecurityGroup", `sg-${id}`, {
        name: `sg-${id}`,
        description: "application traffic",
        vpcId: "vpc-0123456789abcdef0",
        ingress: [{ fromPort: 443, toPort: 443, protocol: "tcp", cidrBlocks: ["10.0.0.0/16"] }],
        egress: [{ fromPort: 0, toPort: 0, protocol: "-1", cidrBlocks: ["0.0.0.0/0"] }],
        tags,
      });
    case 7:
      return base("aws:ecs/service:Service", `svc-${id}`, { name: `svc-${id}`, desiredCount: 2, launchType: "FARGATE", cluster: "04da6b54-80e4-46f7-96ec-b56ff0331ba9", tags });
    case 8:
      return base("aws:cloudwatch/metricAlarm:MetricAlarm", `alarm-${id}`, {
        name: `alarm-${id}`,
        comparisonOperator: "GreaterThanThreshold",
        evaluationPeriods: 2,
        metricName: "Errors",
        namespace: "AWS/Lambda",
        period: 60,
        statistic: "Sum",
        threshold: 5,
        dimensions: { FunctionName: `fn-${id}` },
        tags,
      });
    default:
      return base("aws:sns/topic:Topic", `topic-${id}`, { name: `topic-${id}`, tags });
  }
}

function environmentOf(reference: ReferenceStack): string {
  const tags = reference.unit.find((r) => r.type.startsWith("aws:"))?.properties["tags"];
  const environment = tags !== null && typeof tags === "object" && !Array.isArray(tags) ? tags["environment"] : undefined;
  return typeof environment === "string" ? environment : reference.stack;
}

/**
 * A stack of exactly `size` resources: the reference stack's root and providers once, then blocks
 * of a renamed copy of its resources plus {@link FILLER_PER_BLOCK} filler resources, topped up
 * with filler. `alternate`, when given, supplies every fourth block (a second environment's
 * resources, for the per-resource mix of production and non-production).
 */
export function syntheticStack(reference: ReferenceStack, size: number, alternate?: ReferenceStack): WireResource[] {
  if (!Number.isInteger(size) || size < reference.shared.length) {
    throw new RangeError(`size must be an integer of at least ${reference.shared.length}, got ${size}`);
  }
  const resources: WireResource[] = [...reference.shared];
  const stack = reference.stack;
  for (let block = 0; ; block++) {
    const source = alternate !== undefined && block % 4 === 3 ? alternate : reference;
    const blockSize = source.unit.length + FILLER_PER_BLOCK;
    if (resources.length + blockSize > size) break;
    resources.push(...renameUnit(source.unit, `-c${block}`));
    const environment = environmentOf(source);
    for (let i = 0; i < FILLER_PER_BLOCK; i++) resources.push(fillerResource(stack, source.provider, block, i, environment));
  }
  for (let i = 0; resources.length < size; i++) resources.push(fillerResource(stack, reference.provider, -1, i, environmentOf(reference)));
  return resources;
}

/** Counts of the types the pack judges, for printing a stack's inputs. */
export function describeShares(resources: readonly WireResource[]): string {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  const count = (...types: string[]) => types.reduce((sum, t) => sum + (counts.get(t) ?? 0), 0);
  const databases = count("aws:rds/instance:Instance", "aws:rds/cluster:Cluster", "aws:dynamodb/table:Table");
  const iam = [...counts.entries()].filter(([t]) => t.startsWith("aws:iam/")).reduce((sum, [, n]) => sum + n, 0);
  const judged = databases + iam + [...counts.entries()].filter(([t]) => t.startsWith("aws:backup/")).reduce((sum, [, n]) => sum + n, 0);
  return (
    `${resources.length} resources: ${databases} databases, ${count("aws:backup/selection:Selection")} backup selections, ` +
    `${count("aws:backup/vault:Vault")} vaults, ${count("aws:backup/plan:Plan")} plans, ${iam} IAM (${count("aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy")} policies), ` +
    `${resources.length - judged} others`
  );
}
