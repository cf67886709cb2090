// /api/v1/tokens: API tokens with roles (operator, police, viewer).
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LoaError, sentenceError } from '../../../common/errors.js';
import { ROLES } from '../../store/index.js';
import type { Token } from '../api.js';
import type { HttpContext } from '../context.js';
import { parseWith } from '../errors.js';

const operator = { roles: ['operator'] as const };
const addBody = z.strictObject({ role: z.enum(ROLES), name: z.string().min(1).max(100) });

export function newTokenSecret(): string {
  return `loa_${randomBytes(32).toString('base64url')}`;
}

export function tokenRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get('/api/v1/tokens', { config: operator }, async (): Promise<{ tokens: Token[] }> => ({ tokens: ctx.store.tokens.list() }));

  app.post('/api/v1/tokens', { config: operator }, async (req, reply) => {
    const body = parseWith(addBody, req.body, 'token');
    const secret = newTokenSecret();
    const token = ctx.store.tokens.add({
      id: `t-${randomBytes(5).toString('hex')}`,
      name: body.name,
      role: body.role,
      createdAt: ctx.clock.now(),
      token: secret,
    });
    req.log.info({ tokenId: token.id, role: token.role }, 'token created');
    return reply.code(201).send({ token, secret } satisfies { token: Token; secret: string });
  });

  app.delete('/api/v1/tokens/:id', { config: operator }, async (req) => {
    const { id } = req.params as { id: string };
    if (req.principal?.id === id) throw new LoaError('LOA_TOKEN_IN_USE', 'a token cannot remove itself; use another operator token.', { status: 409 });
    if (!ctx.store.tokens.remove(id)) throw sentenceError('LOA_TOKEN_NOT_FOUND', 'token.not-found', { id }, { status: 404 });
    return { removed: id };
  });
}
