import type { DomainContext } from '../../domain/context.js';
import type { Connection } from '../connection.js';
import type { Registry } from '../registry.js';

/** What every frame handler receives besides its frame. */
export interface HandlerContext {
  domain: DomainContext;
  registry: Registry;
  conn: Connection;
}
