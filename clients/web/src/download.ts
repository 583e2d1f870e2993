/** Save a Blob as a file through the browser's download (an object URL on a `download` link). */

/** A safe file name: letters, digits, dot, dash and underscore. */
export function fileName(base: string, extension: string): string {
  return `${base.replace(/[^A-Za-z0-9._-]+/g, '_')}.${extension}`;
}

/** Offer `blob` as the file `name`. */
export function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once it started; give it a moment before letting the URL go.
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
