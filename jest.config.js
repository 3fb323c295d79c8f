// ts-jest compiles our TypeScript and the ES-module builds of the Jupyter packages.
const esModules = [
  '@codemirror',
  '@jupyter',
  '@jupyterlab',
  '@lezer',
  '@lumino',
  '@microsoft',
  'exenv-es6',
  'lib0',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs'
].join('|');

module.exports = {
  testEnvironment: 'jsdom',
  testMatch: ['<rootDir>/src/__tests__/**/*.spec.ts?(x)'],
  setupFiles: ['<rootDir>/src/__tests__/setup.js'],
  moduleNameMapper: {
    '\\.(css|less|svg)$': '<rootDir>/src/__tests__/styleMock.js'
  },
  modulePathIgnorePatterns: [
    '<rootDir>/jupyterlab_nbjobs/labextension',
    '<rootDir>/ui-tests',
    '<rootDir>/lib'
  ],
  transform: {
    '^.+\\.(ts|tsx|js|jsx|mjs)$': [
      'ts-jest',
      { tsconfig: 'tsconfig.test.json' }
    ]
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esModules})).+`]
};
