import { credentialCharProblem } from '@nerm-connect/shared/lite';
import type { AuthType, FieldId, FormValues } from './form.ts';

/**
 * Where a typed key holds a character no key can (a smart quote, a no-break space…):
 * the field and the 1-based position. Loaded with the first submit, not with the page;
 * the broker checks the same and answers with the same precision if this never loads.
 */
export function credentialProblems(
  values: FormValues,
  authType: AuthType,
): Partial<Record<FieldId, number>> {
  const found: Partial<Record<FieldId, number>> = {};
  // Type-only imports: this chunk imports nothing from the main file, whatever it is named.
  const keys: FieldId[] = authType === 'pat' ? ['client-id', 'client-secret'] : ['api-key'];
  for (const id of keys) {
    const problem = credentialCharProblem(values[id].trim());
    if (problem) found[id] = problem.position;
  }
  return found;
}
