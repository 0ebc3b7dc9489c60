/**
 * Where a finding points in the repository: the file and line that declare the resource (the
 * Node SDK sends them with each registration as a `file://` URL), else the stack's program.
 * Shared by the SARIF, annotation and text reports so they all point at the same place.
 */
import * as path from "path";
import { fileURLToPath } from "url";
import type { FindingResource } from "../model";

export interface RepoLocation {
  /** Path relative to the repository root, with `/` separators. */
  path: string;
  /** 1-based line, when known. */
  line?: number;
  /** 1-based column, when known. */
  column?: number;
  /** True when the resource had no usable source position and this is the stack's program. */
  isProgramFallback: boolean;
}

/** A local file path from a `file://` URL or a plain path; undefined for other schemes or malformed URLs. */
export function localPathOf(uriOrPath: string): string | undefined {
  if (typeof uriOrPath !== "string" || uriOrPath.trim() === "") return undefined;
  if (/^file:/i.test(uriOrPath)) {
    try {
      return fileURLToPath(uriOrPath);
    } catch {
      return undefined;
    }
  }
  // Any other scheme (two letters or more, so a Windows drive letter is still a path).
  if (/^[a-z][a-z0-9+.-]+:/i.test(uriOrPath)) return undefined;
  return uriOrPath;
}

/**
 * `filePath` relative to `repoRoot` with `/` separators, or undefined when it lies outside the
 * repository (code scanning can only show files committed to it). A relative `filePath` is taken
 * as relative to `repoRoot`.
 */
export function repoRelativePath(filePath: string, repoRoot: string): string | undefined {
  const absolute = path.resolve(repoRoot, filePath);
  const relative = path.relative(path.resolve(repoRoot), absolute);
  if (relative === "" || relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep).join("/");
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 ? value : undefined;
}

/**
 * The repository location of a finding: its resource's source position when that lies inside the
 * repository, else the stack's program file (no line), else undefined.
 */
export function locateInRepo(resource: FindingResource | undefined, programPath: string, repoRoot: string): RepoLocation | undefined {
  const position = resource?.sourcePosition;
  if (position) {
    const local = localPathOf(position.uri);
    const relative = local === undefined ? undefined : repoRelativePath(local, repoRoot);
    if (relative !== undefined) {
      const line = positiveInteger(position.line);
      // A column without a line says nothing useful.
      const column = line === undefined ? undefined : positiveInteger(position.column);
      return { path: relative, line, column, isProgramFallback: false };
    }
  }
  const program = localPathOf(programPath);
  const relative = program === undefined ? undefined : repoRelativePath(program, repoRoot);
  return relative === undefined ? undefined : { path: relative, isProgramFallback: true };
}

/** The display form of a source position: `file:line:column`, the file relative to `repoRoot` when it lies inside. */
export function displayPosition(resource: FindingResource | undefined, repoRoot: string | undefined): string | undefined {
  const position = resource?.sourcePosition;
  if (!position) return undefined;
  const local = localPathOf(position.uri);
  if (local === undefined) return position.uri ? String(position.uri) : undefined;
  const shown = (repoRoot === undefined ? undefined : repoRelativePath(local, repoRoot)) ?? local;
  const line = positiveInteger(position.line);
  const column = line === undefined ? undefined : positiveInteger(position.column);
  return [shown, line, column].filter((x) => x !== undefined).join(":");
}
