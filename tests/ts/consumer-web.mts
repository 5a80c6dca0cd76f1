// The web build as a bundler user sees it: initialise once, then call.
import init, { emailKey, version } from "../../pkg/web/usersync.js";

export async function start(): Promise<string> {
  await init();
  return `${version()} ${emailKey("a@b.co").key}`;
}
