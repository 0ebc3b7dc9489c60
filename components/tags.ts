/**
 * Tags every guardrail component writes on its children: `environment=<value>` plus the caller's
 * tags. The policy pack decides what is production from these tags (policies/lib/settings.ts), so
 * the components read the same definition instead of keeping a second copy.
 */
import { DEFAULT_SETTINGS } from "../policies/lib/settings";
import { GuardrailArgumentError } from "./floors";

export const ENVIRONMENT_TAG_KEY = "environment";
/** Every component's environment unless told otherwise: safety is what you get by writing nothing. */
export const DEFAULT_ENVIRONMENT = "production";
/** The environment tag a restored copy must carry (RestoreRole enforces it with aws:RequestTag). */
export const RESTORE_ENVIRONMENT = "restore";
/** Name prefix of every database the RestoreRole may create. */
export const DEFAULT_RESTORE_NAME_PREFIX = "restore-";
/** The tag that marks the break-glass role; the pack exempts only roles that carry it. */
export const BREAK_GLASS_TAG: Readonly<{ key: string; value: string }> = DEFAULT_SETTINGS.breakGlassTag;

/** Tag keys that say which environment a resource belongs to (lower-cased), as the pack reads them. */
const ENVIRONMENT_KEYS: ReadonlySet<string> = new Set(Object.keys(DEFAULT_SETTINGS.productionTags).map((k) => k.toLowerCase()));

/** True when the environment name is one the pack treats as production (`production`, `prod`, any case). */
export function isProductionEnvironment(environment: string): boolean {
  const values = DEFAULT_SETTINGS.productionTags[ENVIRONMENT_TAG_KEY] ?? [];
  return values.some((v) => v.toLowerCase() === environment.trim().toLowerCase());
}

/** The environment argument, checked: a non-empty tag value without surrounding spaces. */
export function resolveEnvironment(component: string, environment: unknown): string {
  if (environment === undefined) return DEFAULT_ENVIRONMENT;
  if (typeof environment !== "string" || environment.trim() === "" || environment !== environment.trim()) {
    throw new GuardrailArgumentError(component, "environment", `must be a non-empty string without surrounding spaces (got ${JSON.stringify(environment)}).`);
  }
  checkTagValue(component, `environment`, environment);
  return environment;
}

// AWS tag limits shared by RDS, DynamoDB, KMS, IAM, SNS and Backup.
const MAX_TAG_KEY_LENGTH = 128;
const MAX_TAG_VALUE_LENGTH = 256;
const TAG_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

function checkTagValue(component: string, argument: string, value: string): void {
  if (value.length > MAX_TAG_VALUE_LENGTH || !TAG_PATTERN.test(value)) {
    throw new GuardrailArgumentError(component, argument, `= ${JSON.stringify(value)} is not a valid AWS tag value (at most ${MAX_TAG_VALUE_LENGTH} letters, digits, spaces and _.:/=+-@).`);
  }
}

/**
 * The tags for every child of a component: the caller's tags plus `environment=<environment>`.
 * A caller tag that names the environment differently (`environment`, `Environment` or `env` with
 * another value) throws, because a child tagged both `production` and `staging` would be judged
 * by whichever tag a reader happens to look at first. The break-glass tag is reserved for the
 * break-glass role, and `aws:` keys are reserved by AWS.
 */
export function guardrailTags(component: string, environment: string, callerTags: unknown): Record<string, string> {
  const tags: Record<string, string> = {};
  if (callerTags !== undefined) {
    if (callerTags === null || typeof callerTags !== "object" || Array.isArray(callerTags)) {
      throw new GuardrailArgumentError(component, "tags", `must be an object of string values (got ${JSON.stringify(callerTags)}).`);
    }
    for (const [key, value] of Object.entries(callerTags as Record<string, unknown>)) {
      if (typeof value !== "string") {
        throw new GuardrailArgumentError(component, `tags.${key}`, `must be a string (got ${JSON.stringify(value)}).`);
      }
      if (key === "" || key.length > MAX_TAG_KEY_LENGTH || !TAG_PATTERN.test(key) || key.toLowerCase().startsWith("aws:")) {
        throw new GuardrailArgumentError(component, "tags", `key ${JSON.stringify(key)} is not a valid AWS tag key (1-${MAX_TAG_KEY_LENGTH} characters, not starting with "aws:").`);
      }
      checkTagValue(component, `tags.${key}`, value);
      if (key.toLowerCase() === BREAK_GLASS_TAG.key.toLowerCase()) {
        throw new GuardrailArgumentError(component, `tags.${key}`, `is reserved for the break-glass role; it may not be set through tags.`);
      }
      if (ENVIRONMENT_KEYS.has(key.toLowerCase()) && value.trim().toLowerCase() !== environment.toLowerCase()) {
        throw new GuardrailArgumentError(
          component,
          `tags.${key}`,
          `= ${JSON.stringify(value)} contradicts environment ${JSON.stringify(environment)}; set the environment argument instead of overriding the tag.`,
        );
      }
      // The component writes the canonical key below; a same-meaning variant would be a second copy.
      if (key.toLowerCase() === ENVIRONMENT_TAG_KEY) continue;
      tags[key] = value;
    }
  }
  tags[ENVIRONMENT_TAG_KEY] = environment;
  return tags;
}
