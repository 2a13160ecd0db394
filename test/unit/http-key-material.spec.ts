import { defaultVary, httpKeyMaterial, queryMaterial, varyMaterial } from '../../lib/cached/http-key-material.js';

describe('queryMaterial', () => {
  it.each([
    ['', []],
    ['a=1', [['a', '1']]],
    ['b=2&a=1', [['a', '1'], ['b', '2']]],
    // Values of one name keep their order: the handler sees ['user', 'admin'].
    ['tag=user&tag=admin', [['tag', 'user'], ['tag', 'admin']]],
    ['tag=admin&tag=user', [['tag', 'admin'], ['tag', 'user']]],
    ['t=2&a=1&t=1', [['a', '1'], ['t', '2'], ['t', '1']]],
    // Forms a nesting parser merges into one name keep their relative order.
    ['a=2&a[]=1', [['a', '2'], ['a[]', '1']]],
    ['a[]=1&a=2', [['a[]', '1'], ['a', '2']]],
    ['a.y=1&a.x=2&b=0', [['a.y', '1'], ['a.x', '2'], ['b', '0']]],
    // Decoded as the handler sees it.
    ['q=a+b&r=%C3%A9', [['q', 'a b'], ['r', 'é']]],
  ] as const)('%j', (query, expected) => {
    expect(queryMaterial(query)).toEqual(expected);
  });
});

describe('httpKeyMaterial', () => {
  it('is method (HEAD as GET), path, query and the vary parts', () => {
    expect(httpKeyMaterial({ method: 'head', url: '/x?b=1&a=2' }, ['X-Tenant'])).toEqual([
      'GET',
      '/x',
      [['a', '2'], ['b', '1']],
      ['x-tenant', null],
    ]);
    expect(httpKeyMaterial({ method: 'GET', originalUrl: '/api/x', url: '/x' }, [])).toEqual(['GET', '/api/x', []]);
  });

  it('adds the user by default when request.user is set, and not with vary: []', () => {
    const withUser = { method: 'GET', url: '/me', user: { id: 7, name: 'ann' } };
    expect(httpKeyMaterial(withUser, undefined)).toEqual(httpKeyMaterial(withUser, ['user']));
    expect(httpKeyMaterial(withUser, undefined)).toContainEqual(['user', 7]);
    expect(httpKeyMaterial(withUser, [])).toEqual(['GET', '/me', []]);
    expect(httpKeyMaterial({ method: 'GET', url: '/me' }, undefined)).toEqual(['GET', '/me', []]);
    expect(httpKeyMaterial({ method: 'GET', url: '/me', user: null }, undefined)).toEqual(['GET', '/me', []]);
  });
});

describe('defaultVary and varyMaterial', () => {
  it('default: user when a user is set', () => {
    expect(defaultVary({})).toEqual([]);
    expect(defaultVary({ user: { id: 1 } })).toEqual(['user']);
    expect(defaultVary({ user: 'sam' })).toEqual(['user']);
  });

  it('user is its id, else the whole user; headers by lower-case name', () => {
    expect(varyMaterial({ user: { id: 0 } }, ['user'])).toEqual([['user', 0]]);
    expect(varyMaterial({ user: { sub: 's1' } }, ['user'])).toEqual([['user', { sub: 's1' }]]);
    expect(varyMaterial({}, ['user'])).toEqual([['user', null]]);
    expect(varyMaterial({ headers: { host: 'a.example' } }, ['Host'])).toEqual([['host', 'a.example']]);
  });
});
