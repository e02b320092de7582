import type { BackendConfig, RouteConfig, ValidationIssue } from '@hotswap/config-snapshot';
import type { FieldIssue } from '../../common/errors/gateway-error';

/** The route or backend a request writes: issues about it are named by its own fields. */
export interface ChangeSubject {
  kind: 'route' | 'backend';
  id: string;
}

const ENTITY_PATH = /^(routes|backends)\[(\d+)\](?:\.(.+))?$/;
const ENTITY_MENTION = /(routes|backends)\[(\d+)\]/g;

/**
 * Turns the issues of a whole snapshot into issues of the request that caused it: a field of the route or
 * backend being written is named as in the request body (`timeoutSeconds`); others by id
 * (`routes[route-abc].pathPattern`). Indexes in messages become ids, since they mean nothing to the caller.
 */
export function toRequestIssues(
  issues: readonly ValidationIssue[],
  content: { routes: readonly RouteConfig[]; backends: readonly BackendConfig[] },
  subject: ChangeSubject,
): FieldIssue[] {
  const idAt = (collection: string, index: number): string | undefined =>
    collection === 'routes' ? content.routes[index]?.routeId : content.backends[index]?.backendId;
  const kindOf = (collection: string): ChangeSubject['kind'] => (collection === 'routes' ? 'route' : 'backend');
  const mentions = (message: string) =>
    [...message.matchAll(ENTITY_MENTION)].map((match) => ({
      text: match[0],
      kind: kindOf(match[1] as string),
      id: idAt(match[1] as string, Number(match[2])),
    }));
  const readable = (message: string) =>
    message.replace(ENTITY_MENTION, (text, collection: string, index: string) => {
      const id = idAt(collection, Number(index));
      return id === undefined ? text : `${kindOf(collection)} "${id}"`;
    });

  return issues.map((issue) => {
    const match = ENTITY_PATH.exec(issue.path);
    if (!match) return { field: issue.path, message: readable(issue.message) };
    const collection = match[1] as string;
    const rest = match[3];
    const id = idAt(collection, Number(match[2]));
    const kind = kindOf(collection);
    if (kind === subject.kind && id === subject.id) {
      return { field: rest ?? `${kind}Id`, message: readable(issue.message) };
    }
    // Another entity clashes with the subject: report it on the subject's field, naming the other.
    const mentioned = mentions(issue.message).find((m) => m.kind === subject.kind && m.id === subject.id);
    if (mentioned && rest) {
      return {
        field: rest,
        message: readable(issue.message.replace(mentioned.text, `${kind} "${id}"`)),
      };
    }
    return { field: `${collection}[${id ?? match[2]}]${rest ? `.${rest}` : ''}`, message: readable(issue.message) };
  });
}
