import type { AtsStage } from './types';

// The rules of a relay's status mapping (ATS stage → the tool's status), pure so they are tested without a server:
// the ATS's default stages come pre-mapped and locked; the company's own stages start unmapped; a mapping is saved
// only when it maps every stage and changes no locked one.

/** Stage id → the tool's status. */
export type StageMapping = Record<string, string>;

export interface MappedStage extends AtsStage {
  /** A default stage whose status cannot be changed. */
  locked: boolean;
  /** Unset: unmapped (changes into this stage are held, never guessed). */
  status?: string;
}

/** Why a requested mapping cannot be saved; every list names stages as `"<name>" (<id>)`. */
export interface MappingProblems {
  /** Locked default stages the request maps to another status. */
  locked: string[];
  /** Stage ids the ATS does not have. */
  unknown: string[];
  /** Stages left without a status. */
  unmapped: string[];
  /** Statuses the tool does not have. */
  invalidStatus: string[];
}

const norm = (name: string) => name.trim().toLowerCase();
export const stageLabel = (stage: AtsStage) => `"${stage.name}" (${stage.id})`;

export class StatusMappingRules {
  private readonly lockedByName: Map<string, string>;

  constructor(
    locked: Readonly<Record<string, string>>,
    readonly statuses: readonly string[],
  ) {
    this.lockedByName = new Map(Object.entries(locked).map(([name, status]) => [norm(name), status]));
  }

  /** The status a default stage is locked to; undefined for the company's own stages. */
  lockedStatus(stage: AtsStage): string | undefined {
    return stage.isDefault ? this.lockedByName.get(norm(stage.name)) : undefined;
  }

  /** Where enabling starts: every locked default mapped, every other stage unmapped. */
  initial(stages: AtsStage[]): StageMapping {
    return this.withLocked(stages, {});
  }

  /** The mapping as a form shows it: each stage, locked or not, with its status when it has one. */
  view(stages: AtsStage[], mapping: StageMapping): MappedStage[] {
    return stages.map((stage) => {
      const locked = this.lockedStatus(stage);
      return { ...stage, locked: locked !== undefined, status: locked ?? mapping[stage.id] };
    });
  }

  unmapped(stages: AtsStage[], mapping: StageMapping): AtsStage[] {
    return stages.filter((stage) => (this.lockedStatus(stage) ?? mapping[stage.id]) === undefined);
  }

  /**
   * A mapping asked for: the one to save (locked defaults filled in, stages the ATS no longer has dropped), or every
   * reason it cannot be. Locked stages may be left out or repeated with their own status.
   */
  check(stages: AtsStage[], requested: StageMapping): { mapping: StageMapping } | { problems: MappingProblems } {
    const byId = new Map(stages.map((s) => [s.id, s]));
    const problems: MappingProblems = { locked: [], unknown: [], unmapped: [], invalidStatus: [] };
    for (const [id, status] of Object.entries(requested)) {
      const stage = byId.get(id);
      if (!stage) {
        problems.unknown.push(id);
        continue;
      }
      if (!this.statuses.includes(status)) problems.invalidStatus.push(`${stageLabel(stage)}: "${status}"`);
      const locked = this.lockedStatus(stage);
      if (locked !== undefined && locked !== status) problems.locked.push(`${stageLabel(stage)} is locked to "${locked}"`);
    }
    const mapping = this.withLocked(stages, requested);
    problems.unmapped = this.unmapped(stages, mapping).map(stageLabel);
    const refused = Object.values(problems).some((list) => list.length > 0);
    return refused ? { problems } : { mapping };
  }

  /** `mapping` with every locked default set to its status, and only stages the ATS has. */
  private withLocked(stages: AtsStage[], mapping: StageMapping): StageMapping {
    const out: StageMapping = {};
    for (const stage of stages) {
      const status = this.lockedStatus(stage) ?? mapping[stage.id];
      if (status !== undefined) out[stage.id] = status;
    }
    return out;
  }
}
