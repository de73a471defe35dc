// Words: config.strings arrive translated into the visitor's language (the server merges the
// shipped translations and the organization's overrides); init({strings}) overrides them.
import { str } from './util.js';

let words = {};

export function setWords(fromServer, fromPage) {
  words = Object.assign({}, fromServer, fromPage);
}

// The word for key, with {name} placeholders filled from vars.
export function t(key, vars) {
  return str(words[key] ?? key).replace(/\{(\w+)\}/g, (_, k) => str(vars?.[k]));
}
