import type { Server } from 'node:http';
import { type DocumentNode, GraphQLError, getOperationAST } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { GraphQLParams, YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Context, Principal } from '../../context.js';
import { AuthenticationError, type Authenticator } from '../auth/auth.js';
import { LIMITS, loadPersistedDocuments, persistedDocumentIdOf } from '../security/armor.js';
import { requestIdFrom } from './request-id.js';

/** How often a WebSocket is pinged; one that has not answered by the next ping is dropped. */
export const WS_PING_MS = 12_000;

/** What a WebSocket connection carries once its `connection_init` was accepted. */
interface Connection {
  principal: Principal;
  expiry?: NodeJS.Timeout;
}

export interface GraphQLWebSocket {
  /** Open WebSocket connections. */
  connections(): number;
  /** Closes every connection (1001 Going away) and stops accepting new ones. */
  close(): Promise<void>;
}

/**
 * GraphQL over WebSocket (graphql-ws, the `graphql-transport-ws` protocol) on the server's port and `/graphql`,
 * run through Yoga's envelop (the same schema, validation rules, limits and error masking as over HTTP), after
 * graphql-yoga's graphql-ws example. Only subscriptions: queries and mutations go over HTTP, where the audit, the
 * rate limit and the hot path are. The token is `connectionParams.authorization` ("Bearer <JWT>"): none or a bad
 * one closes the socket with 4401; when it expires the socket closes with 4403 (a client reconnects with fresh
 * connectionParams) and its streams end with a TOKEN_EXPIRED error.
 */
export function serveGraphQLOverWebSocket(deps: {
  server: Server;
  yoga: YogaServerInstance<Record<string, never>, Context>;
  authenticate: Authenticator;
  trustedDocumentsRequired: boolean;
  logger: Logger;
}): GraphQLWebSocket {
  const manifest = loadPersistedDocuments();
  const wss = new WebSocketServer({ server: deps.server, path: '/graphql', maxPayload: LIMITS.bodyBytes });
  const connections = new WeakMap<object, Connection>();
  const served = useServer<Record<string, unknown> | undefined, { connection?: Connection }>(
    {
      execute: (args) => (args.rootValue as Enveloped).execute(args),
      subscribe: (args) => (args.rootValue as Enveloped).subscribe(args),
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization;
        const socket = ctx.extra.socket;
        let principal: Principal;
        try {
          principal = await deps.authenticate(typeof authorization === 'string' ? authorization : null);
        } catch (error) {
          if (error instanceof AuthenticationError && error.keysUnavailable) {
            socket.close(1013, 'Authentication is temporarily unavailable');
          } else {
            deps.logger.debug({ reason: (error as AuthenticationError).reason }, 'WebSocket token refused');
            socket.close(CloseCode.Unauthorized, 'Missing or invalid bearer token');
          }
          return false;
        }
        const connection: Connection = { principal };
        if (principal.expiresAt !== undefined) {
          connection.expiry = setTimeout(
            () => socket.close(CloseCode.Forbidden, 'The bearer token expired'),
            Math.min(Math.max(0, principal.expiresAt - Date.now()), 2 ** 31 - 1),
          );
          socket.once('close', () => clearTimeout(connection.expiry));
        }
        connections.set(ctx, connection);
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const connection = connections.get(ctx);
        if (!connection) return [new GraphQLError('Not connected')];
        const documentId = persistedDocumentIdOf(payload as GraphQLParams);
        const text = documentId
          ? manifest[documentId]
          : deps.trustedDocumentsRequired
            ? undefined
            : payload.query;
        if (!text) {
          return [
            new GraphQLError(
              documentId
                ? 'PersistedQueryNotFound'
                : 'Only operations from the persisted-documents manifest may run here; send its documentId',
            ),
          ];
        }
        const enveloped = deps.yoga.getEnveloped({
          principal: connection.principal,
          requestId: requestIdFrom(null),
          params: payload,
        });
        let document: DocumentNode;
        try {
          document = enveloped.parse(text);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('Syntax error')];
        }
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length) return errors;
        if (getOperationAST(document, payload.operationName)?.operation !== 'subscription') {
          return [
            new GraphQLError('Only subscriptions over WebSocket: send queries and mutations over HTTP'),
          ];
        }
        return {
          schema: enveloped.schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
      },
    },
    wss,
    WS_PING_MS,
  );
  return {
    connections: () => wss.clients.size,
    async close() {
      const sockets = [...wss.clients];
      const closed = Promise.all(
        sockets.map((socket) => new Promise((resolve) => socket.once('close', resolve))),
      );
      await served.dispose();
      // A client that does not answer the close handshake would hold the HTTP server's close open.
      const timer = setTimeout(() => {
        for (const socket of sockets) socket.terminate();
      }, 1_000);
      await closed;
      clearTimeout(timer);
    },
  };
}

type Enveloped = ReturnType<YogaServerInstance<Record<string, never>, Context>['getEnveloped']>;
