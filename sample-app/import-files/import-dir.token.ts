/** Injection token of the absolute import directory (a string). */
export const IMPORT_DIR = Symbol('sample:import-dir');
