/**
 * The rule pack reads the project's one engine-version table (environments/engine-versions.ts,
 * policy in docs/version-policy.md): the minors AWS still offers, with the date they were checked.
 */
export { OFFERED_MINOR_VERSIONS } from "../../environments/engine-versions";
