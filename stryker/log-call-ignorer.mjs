// Stryker ignorer: a statement that only logs (logger.info(...), this.options.logger.warn(...))
// or appends log keys. Its mutants change what is written, not what the rotation does; the tests
// that matter about logs (no secret ever logged) scan the output instead.
import { declareClassPlugin, PluginKind } from '@stryker-mutator/api/plugin';

const LOG_METHODS = new Set(['debug', 'info', 'warn', 'error', 'appendKeys']);

function isLogger(node) {
  if (node.type === 'Identifier') return node.name === 'logger';
  if (node.type === 'MemberExpression' || node.type === 'OptionalMemberExpression') {
    return !node.computed && node.property.type === 'Identifier' && node.property.name === 'logger';
  }
  return false;
}

class LogCallIgnorer {
  shouldIgnore(path) {
    if (!path.isExpressionStatement()) return undefined;
    const call = path.node.expression;
    if (call.type !== 'CallExpression' && call.type !== 'OptionalCallExpression') return undefined;
    const callee = call.callee;
    if (callee.type !== 'MemberExpression' && callee.type !== 'OptionalMemberExpression') return undefined;
    if (callee.computed || callee.property.type !== 'Identifier' || !LOG_METHODS.has(callee.property.name)) return undefined;
    return isLogger(callee.object) ? 'A log statement: it changes what is written, not what the rotation does' : undefined;
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.Ignore, 'log-calls', LogCallIgnorer)];
