import type { z } from 'zod';
import { AppError } from '../domain/errors.js';

/** One readable line from a zod error: the first few issues with their paths. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/** Validates untrusted input against a shared schema, or refuses it with `invalid_request`. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new AppError('invalid_request', describeZodError(result.error));
  return result.data;
}
