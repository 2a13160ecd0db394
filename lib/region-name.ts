/**
 * The shape of a region name, defined once and low in the house: the configuration checks names
 * against it (`config/naming-rules.ts`, with the reserved names and its messages), and the file
 * store checks it again before a name becomes a directory.
 */

/**
 * Longest region name. A file region's directory is named after it, and some file systems allow
 * names of 255 bytes only, with the app and region key prefixes still to come.
 */
export const REGION_NAME_MAX_LENGTH = 128;

const REGION_NAME = /^[A-Za-z0-9_-]+$/;

/** Whether `name` has the shape of a region name (letters, digits, `_`, `-`; at most 128). */
export function isRegionName(name: string): boolean {
  return name.length <= REGION_NAME_MAX_LENGTH && REGION_NAME.test(name);
}
