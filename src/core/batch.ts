/** An archive batch number as folder and file names show it: 3 digits, more when it outgrows them. */
export function batchNumber(batch: number): string {
  return String(batch).padStart(3, '0');
}
