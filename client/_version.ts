// The package version, sent in the User-Agent. Keep in step with deno.json.
export const VERSION = "0.1.0";
