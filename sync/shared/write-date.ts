/** A push whose `write_date` is older than the stored version's changes nothing. */
export function isOutOfDate(writeDate: Date | null, storedWriteDate: Date | null): boolean {
  return !!writeDate && !!storedWriteDate && writeDate.getTime() < storedWriteDate.getTime();
}
