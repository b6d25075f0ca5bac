/**
 * Server configuration: the resolved shape, its defaults and the layered loader.
 *
 * @module
 */
export { ConfigError, defaultConfig, type ResolvedConfig } from "./config.ts";
export { type ConfigFlags, type ConfigSources, loadConfig } from "./load_config.ts";
export { readConfigFile } from "./config_file.ts";
