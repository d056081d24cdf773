// What the lifecycle steps of one semantic-release run share. semantic-release loads the plugin once per run,
// so module state lives as long as the run; keys include the folder, so several runs in one process (tests)
// do not see each other's state.

/** Folders whose verifyConditions passed: prepare verifies first when it did not run (as @semantic-release/git does). */
export const verified = new Set<string>();

/** Release notes per folder and version: generateNotes may be called again after prepare renamed the scripts. */
export const notesCache = new Map<string, string>();

export const key = (cwd: string, version: string) => `${cwd}\0${version}`;
