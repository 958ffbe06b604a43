import { describe, expect, it } from 'vitest';
import { CreateRoomBodySchema, HistoryQuerySchema, RegisterBodySchema } from './rest.js';
import { ClientFrameSchema, SendFrameSchema } from './ws.js';

describe('shared schemas', () => {
  it('lower-cases and bounds usernames', () => {
    expect(RegisterBodySchema.parse({ username: ' Ada.L ', password: '0123456789' }).username).toBe('ada.l');
    for (const username of ['ab', 'a'.repeat(33), 'ada lovelace', 'ada@lab', 'élise']) {
      expect(RegisterBodySchema.safeParse({ username, password: '0123456789' }).success, username).toBe(false);
    }
    expect(RegisterBodySchema.safeParse({ username: 'ada', password: '012345678' }).success).toBe(false);
  });

  it('accepts room names in any script and refuses control characters and leading punctuation', () => {
    for (const name of ['Optics Lab', 'Labo optique', 'Лаборатория', 'lab-42_b.c']) {
      expect(CreateRoomBodySchema.safeParse({ name, visibility: 'public' }).success, name).toBe(true);
    }
    for (const name of ['-lab', 'a', 'lab\nnewline', 'lab<script>', 'x'.repeat(65)]) {
      expect(CreateRoomBodySchema.safeParse({ name, visibility: 'public' }).success, name).toBe(false);
    }
  });

  it('coerces history query strings and applies the default limit', () => {
    expect(HistoryQuerySchema.parse({ before: '10' })).toEqual({ before: 10, limit: 50 });
    expect(HistoryQuerySchema.safeParse({ limit: '201' }).success).toBe(false);
  });

  it('takes exactly one of body and ciphertext in a send frame', () => {
    const base = { type: 'send', id: 1, roomId: 'r' };
    expect(SendFrameSchema.safeParse({ ...base, body: 'hi' }).success).toBe(true);
    expect(SendFrameSchema.safeParse({ ...base, ciphertext: 'AAAA' }).success).toBe(true);
    expect(SendFrameSchema.safeParse({ ...base }).success).toBe(false);
    expect(SendFrameSchema.safeParse({ ...base, body: 'hi', ciphertext: 'AAAA' }).success).toBe(false);
  });

  it('refuses frames with unknown types or extra fields', () => {
    expect(ClientFrameSchema.safeParse({ type: 'ping', id: 'p' }).success).toBe(true);
    expect(ClientFrameSchema.safeParse({ type: 'ping', id: 'p', admin: true }).success).toBe(false);
    expect(ClientFrameSchema.safeParse({ type: 'pong', id: 'p' }).success).toBe(false);
  });
});
