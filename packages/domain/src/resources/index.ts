export * from "./Resource.js"
export * from "./ResourceFilter.js"
