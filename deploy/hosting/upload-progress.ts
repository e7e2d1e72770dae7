import type { Output } from "../core/output.js";
import type { UploadProgress } from "./publish.js";

/** Upload progress on the command's Output: an `upload.progress` event, a live phase, or a line per tenth. */
export function uploadProgress(output: Output): (progress: UploadProgress) => void {
  let lastShown = -1;
  return ({ uploaded, toUpload, total }) => {
    output.event({ event: "upload.progress", uploaded, toUpload, total });
    // A live line shows every file; plain logs get a line per tenth.
    if (output.progress(`${uploaded}/${toUpload} changed files (${total - toUpload} unchanged)`)) return;
    const tenth = toUpload === 0 ? 10 : Math.floor((uploaded / toUpload) * 10);
    if (tenth !== lastShown && (tenth === 10 || tenth > lastShown)) {
      lastShown = tenth;
      output.info(`  uploading ${uploaded}/${toUpload} changed files (${total - toUpload} unchanged)`);
    }
  };
}
