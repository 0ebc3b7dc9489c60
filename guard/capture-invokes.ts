/**
 * Answers for provider functions (invokes) during an offline capture.
 *
 * In a real preview data sources run against the cloud with real credentials. Offline there are
 * none, so only what the configuration decides is answered:
 * - `aws:index/getRegion:getRegion`: the region asked for, else the provider's `region` (explicit
 *   provider input or `aws:region`); `endpoint` is the partition's EC2 endpoint; `description`
 *   (a display name from AWS's endpoint tables) is unknown.
 * - `aws:index/getPartition:getPartition`: the partition of that region, for the `aws`, `aws-cn` and
 *   `aws-us-gov` partitions.
 * Everything else (the account id from `getCallerIdentity`, `iam.getPolicyDocument`, lookups of
 * existing resources...) is never invented: an `Output`-form call (`getXOutput`) resolves to an
 * unknown value, as the engine answers an invoke it cannot run yet, so checks that need it are
 * reported as decided at deployment; a promise-form call (`getX()`) fails the capture with an
 * error naming the function, because a promise has no unknown state and the program would go on
 * with `undefined`.
 */
import { UNKNOWN, type WireProperties, type WireValue } from "./wire";

export type InvokeForm = "output" | "promise";

export type OfflineInvokeAnswer =
  | { kind: "answer"; result: WireProperties }
  | { kind: "unknown" }
  | { kind: "error"; message: string };

export interface InvokeContext {
  /** `output` for `invokeOutput`/`invokeSingleOutput`, `promise` for `invoke`/`invokeSingle`. */
  form: InvokeForm;
  /**
   * The region of the provider serving the call: a string, `unknown` when the provider's region is
   * an unknown or secret-wrapped unknown value, `undefined` when none is configured.
   */
  providerRegion: string | "unknown" | undefined;
}

interface PartitionFacts {
  partition: string;
  dnsSuffix: string;
  reverseDnsPrefix: string;
}

/** Region name prefixes of the partitions whose naming AWS documents publicly. */
export function partitionOfRegion(region: string): PartitionFacts | undefined {
  if (!/^[a-z]{2,}(-[a-z]+)+-\d+$/.test(region)) {
    return undefined;
  }
  if (region.startsWith("cn-")) {
    return { partition: "aws-cn", dnsSuffix: "amazonaws.com.cn", reverseDnsPrefix: "cn.com.amazonaws" };
  }
  if (region.startsWith("us-gov-")) {
    return { partition: "aws-us-gov", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
  }
  if (/^(us|eu|ap|sa|ca|me|af|il|mx)-(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d+$/.test(region)) {
    return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
  }
  return undefined;
}

function unanswerable(token: string, context: InvokeContext, why: string): OfflineInvokeAnswer {
  if (context.form === "output") {
    return { kind: "unknown" };
  }
  return {
    kind: "error",
    message:
      `${token} cannot be answered offline (${why}). A real preview runs it with cloud credentials; ` +
      `the offline check has none and never invents the result. Use the Output form of the function ` +
      `(it is then unknown, and checks that need it are decided at deployment), or pass the value as config.`,
  };
}

function requestedRegion(args: WireProperties): string | undefined {
  for (const key of ["region", "name"]) {
    const value = args[key];
    if (typeof value === "string" && value !== "" && value !== UNKNOWN.string) {
      return value;
    }
  }
  return undefined;
}

function regionForCall(token: string, args: WireProperties, context: InvokeContext): { region: string } | OfflineInvokeAnswer {
  const region = requestedRegion(args) ?? context.providerRegion;
  if (region === undefined) {
    return unanswerable(token, context, "no region is configured: set aws:region or the provider's region");
  }
  if (region === "unknown") {
    return unanswerable(token, context, "the provider's region is not known before deployment");
  }
  return { region };
}

export function answerInvokeOffline(token: string, args: WireProperties, context: InvokeContext): OfflineInvokeAnswer {
  switch (token) {
    case "aws:index/getRegion:getRegion": {
      const found = regionForCall(token, args, context);
      if ("kind" in found) {
        return found;
      }
      const partition = partitionOfRegion(found.region);
      const result: { [key: string]: WireValue } = {
        id: found.region,
        name: found.region,
        region: found.region,
        description: UNKNOWN.string,
        endpoint: partition ? `ec2.${found.region}.${partition.dnsSuffix}` : UNKNOWN.string,
      };
      return { kind: "answer", result };
    }
    case "aws:index/getPartition:getPartition": {
      const found = regionForCall(token, args, context);
      if ("kind" in found) {
        return found;
      }
      const partition = partitionOfRegion(found.region);
      if (!partition) {
        return unanswerable(token, context, `the partition of region ${found.region} is not one the offline check knows`);
      }
      return {
        kind: "answer",
        result: {
          id: partition.partition,
          partition: partition.partition,
          dnsSuffix: partition.dnsSuffix,
          reverseDnsPrefix: partition.reverseDnsPrefix,
        },
      };
    }
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return unanswerable(token, context, "the account and identity come from the credentials");
    default:
      return unanswerable(token, context, "provider functions need the provider plugin");
  }
}
