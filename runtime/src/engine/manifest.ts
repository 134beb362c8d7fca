/**
 * The build manifest: what `dtl build` writes next to the compiled pipe modules and what the
 * runtime reads. It is plain JSON, so people and other tools can read the project's shape and
 * its dependency-tracking graph without running anything.
 */
import type { RetrySettings } from './retry.js';

export interface ManifestSource {
  readonly type: string;
  /** For dataset sources (and a pipe without source that publishes its own dataset). */
  readonly dataset?: string;
  /** Embedded entities as transit-encoded JSON text (exact numbers). */
  readonly embedded?: string;
  /** The source config with $ENV substituted. */
  readonly config: Record<string, unknown>;
}

export interface ManifestSink {
  readonly type: string;
  readonly dataset?: string;
  readonly config: Record<string, unknown>;
}

export interface ManifestTransform {
  readonly type: string;
  /** For `dtl`: index into the module's `transforms` list. */
  readonly compiled?: number;
  readonly config: Record<string, unknown>;
}

export interface ManifestPump {
  readonly mode: 'scheduled' | 'manual' | 'off';
  /** Seconds between runs (absent with a cron expression). */
  readonly interval?: number;
  readonly cron?: string;
  readonly runAtStartup: boolean;
  /**
   * The retry properties set on the pump (retry.ts); absent when none is. They win over
   * a system's retry_strategy, which gives the defaults for the rest.
   */
  readonly retry?: RetrySettings;
}

/** One inverted hops join: a change in `dataset` reprocesses the source entities it reaches. */
export interface ManifestDependency {
  readonly dataset: string;
  /** Datasets walked from the changed entity back to the source, in order. */
  readonly path: readonly string[];
  /** The join as written, and which side is the hopped entity's key. */
  readonly join: { readonly hopped: string; readonly source: string };
}

export interface ManifestPipe {
  readonly id: string;
  /** Module path relative to the manifest. */
  readonly module: string;
  /** Hash of the generated code: a changed pipe is reprocessed from the start. */
  readonly codeHash: string;
  readonly source: ManifestSource;
  readonly sink: ManifestSink;
  readonly transforms: readonly ManifestTransform[];
  readonly pump: ManifestPump;
  readonly batchSize: number;
  readonly namespaces: {
    readonly enabled: boolean;
    readonly identity: string;
    readonly property: string;
    readonly add: boolean;
    readonly remove: boolean;
  };
  /** Datasets read through the source. */
  readonly reads: readonly string[];
  /** Datasets read through hops. */
  readonly hops: readonly string[];
  readonly dependencies: readonly ManifestDependency[];
}

export interface ManifestSystem {
  readonly id: string;
  readonly type: string;
  readonly config: Record<string, unknown>;
}

export interface Manifest {
  readonly format: 'dtl-manifest';
  readonly version: 1;
  readonly toolVersion: string;
  /** The project folder, relative to the manifest (local files are resolved against it). */
  readonly projectRoot: string;
  /** Pipes in dependency order (producers first). */
  readonly pipes: readonly ManifestPipe[];
  readonly systems: readonly ManifestSystem[];
  readonly namespaceMap: Readonly<Record<string, string>>;
}
