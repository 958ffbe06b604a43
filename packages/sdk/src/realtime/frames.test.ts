import { describe, expect, it } from 'vitest';
import { parseServerFrame } from './frames.js';

const sender = { id: 'u1', username: 'ada', displayName: 'Ada' };

describe('parseServerFrame: lenient reading of server frames', () => {
  it.each([
    ['not JSON', '{"type":'],
    ['an array', '[1,2]'],
    ['null', 'null'],
    ['an unknown type', '{"type":"presence","roomId":"r"}'],
    ['a message without seq', JSON.stringify({ type: 'message', roomId: 'r', sender, createdAt: 'x' })],
    ['a message with a text seq', JSON.stringify({ type: 'message', roomId: 'r', seq: '3', sender, createdAt: 'x' })],
    ['an ack without id', '{"type":"ack"}'],
    ['an error without code', '{"type":"error","id":1}'],
    ['a typing notice without user', '{"type":"typing","roomId":"r"}'],
  ])('skips %s', (_what, text) => {
    expect(parseServerFrame(text, false)).toBeNull();
  });

  it('skips binary frames', () => {
    expect(parseServerFrame(Buffer.from('{"type":"pong","id":1}'), true)).toBeNull();
  });

  it('keeps fields a newer server adds to a message', () => {
    const frame = { type: 'message', roomId: 'r', seq: 3, sender, body: 'hi', createdAt: 'x', reactions: ['+1'] };
    expect(parseServerFrame(JSON.stringify(frame), false)).toEqual({
      type: 'message',
      message: { roomId: 'r', seq: 3, sender, body: 'hi', createdAt: 'x', reactions: ['+1'] },
    });
  });

  it('reads acks, errors (with roomId), events and pongs', () => {
    expect(parseServerFrame('{"type":"ack","id":7,"seq":2}', false)).toMatchObject({ type: 'ack', id: 7 });
    expect(parseServerFrame('{"type":"error","code":"unavailable","message":"m","roomId":"r"}', false)).toEqual({
      type: 'error',
      code: 'unavailable',
      message: 'm',
      roomId: 'r',
    });
    expect(parseServerFrame('{"type":"event","roomId":"r","kind":"member.joined"}', false)).toMatchObject({
      type: 'event',
    });
    expect(parseServerFrame('{"type":"pong","id":"p"}', false)).toEqual({ type: 'pong', id: 'p' });
  });
});
