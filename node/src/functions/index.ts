/** Edge functions: public entry of the runtime (see docs/edge-functions.md). */
export { EdgeFunctions, type EdgeFunctionsOptions } from "./edge-functions.js";
export { ConfigModuleRegistry, type ModuleRecord, type ModuleRegistry, type ModuleVersion, type RegistryListener } from "./registry.js";
export { ModuleStore, DEFAULT_MODULE_STORE } from "./module-store.js";
export { cidOf, parseModuleCid, verifyCid } from "./cid.js";
export { instrumentModule, FUEL_EXPORT, GROW_EXPORT, type InstrumentedModule } from "./instrument.js";
export { ABI_MODULE, ABI_VERSION, ACTION, FIELD, HOST_ERR } from "./abi.js";
export * from "./errors.js";
export { DEFAULT_RUNTIME_CONFIG, type FunctionsRuntimeConfig, type ModuleStoreConfig } from "./types.js";
export { functionsConfigSchema, startEdgeFunctions, type FunctionsConfig, type FunctionsConfigInput, type StartFunctionsOptions } from "./config.js";
