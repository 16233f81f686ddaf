import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { backoff, EventParser } from './api';

describe('EventParser', () => {
  it('gives each event once it is complete, across chunks and line endings', () => {
    const parser = new EventParser();
    expect(parser.push('event: ready\r\ndata: {}\r')).toEqual([]);
    expect(parser.push('\n\r\ndata: {"message_id":')).toEqual([{ event: 'ready', data: {} }]);
    expect(parser.push('"m1"}\n\n')).toEqual([{ event: 'message', data: { message_id: 'm1' } }]);
  });

  it('joins data lines, and skips comments, events without data and data that is no JSON', () => {
    const parser = new EventParser();
    const text = ': keep-alive\n\nevent: ping\n\ndata: not json\n\nevent: message\ndata: [1,\ndata: 2]\n\n';
    expect(parser.push(text)).toEqual([{ event: 'message', data: [1, 2] }]);
  });
});

describe('backoff', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('doubles from 1 s to at most 30 s, less up to half at random', () => {
    jest.spyOn(Math, 'random').mockReturnValue(1);
    expect([0, 1, 2, 3, 4, 5, 9].map(backoff)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    jest.spyOn(Math, 'random').mockReturnValue(0);
    expect(backoff(0)).toBe(500);
    expect(backoff(9)).toBe(15000);
  });
});
