import { ParameterError, closest } from '@kdap/errors';

/** The models the scoring image serves. */
export const DEPLOYABLE_KINDS = ['budget', 'propensity', 'anomaly'] as const;
export type DeployableKind = (typeof DEPLOYABLE_KINDS)[number];

/** The Python module's scoring scripts, and the model each one served. */
export const SCORING_SCRIPTS: Readonly<Record<string, DeployableKind>> = {
  'score_budget.py': 'budget',
  'score_propensity.py': 'propensity',
  'score_anomaly.py': 'anomaly',
};

/**
 * The model kind a deployment serves, from `modelKind` or the Python module's `scoringScript`
 * (a path is fine: its file name counts). Anything else is a ParameterError naming the option.
 */
export function resolveModelKind(options: { modelKind?: string | undefined; scoringScript?: string | undefined }, owner = 'deployModel'): DeployableKind {
  const { modelKind, scoringScript } = options;
  if (modelKind !== undefined) {
    if ((DEPLOYABLE_KINDS as readonly string[]).includes(modelKind)) return modelKind as DeployableKind;
    const hint = closest(modelKind, DEPLOYABLE_KINDS);
    throw new ParameterError('modelKind', `The 'modelKind' option of ${owner} must be one of ${DEPLOYABLE_KINDS.map((k) => `'${k}'`).join(', ')}. Got '${modelKind}'.${hint ? ` Did you mean '${hint}'?` : ''}`);
  }
  if (scoringScript !== undefined) {
    const file = scoringScript.split(/[\\/]/).pop() ?? scoringScript;
    const kind = SCORING_SCRIPTS[file];
    if (kind !== undefined) return kind;
    const scripts = Object.keys(SCORING_SCRIPTS);
    const hint = closest(file, scripts);
    throw new ParameterError(
      'scoringScript',
      `The 'scoringScript' option of ${owner} must name one of the Python module's scoring scripts (${scripts.join(', ')}), which map to the models this image serves. Got '${scoringScript}'.${hint ? ` Did you mean '${hint}'?` : ''} Custom scoring scripts do not apply: the image runs the KDAP scoring server.`,
    );
  }
  throw new ParameterError('modelKind', `${owner} needs 'modelKind' (${DEPLOYABLE_KINDS.join(', ')}) or the Python module's 'scoringScript' (${Object.keys(SCORING_SCRIPTS).join(', ')}).`);
}
