import type { Output } from "../core/output.js";
import type { StepReporter } from "./web-deploy.js";

/** Steps and upload progress on the command's Output (NDJSON events with --json). */
export function outputReporter(output: Output): StepReporter {
  let lastShown = -1;
  return {
    step: (name) => output.step(name),
    warn: (text) => output.warn(text),
    progress: ({ uploaded, toUpload, total }) => {
      output.event({ event: "upload.progress", uploaded, toUpload, total });
      // A live line shows every file; plain logs get a line per tenth.
      if (output.progress(`${uploaded}/${toUpload} changed files (${total - toUpload} unchanged)`)) return;
      const tenth = toUpload === 0 ? 10 : Math.floor((uploaded / toUpload) * 10);
      if (tenth !== lastShown && (tenth === 10 || tenth > lastShown)) {
        lastShown = tenth;
        output.info(`  uploading ${uploaded}/${toUpload} changed files (${total - toUpload} unchanged)`);
      }
    },
  };
}
