// A fetch that dials aixd's Unix socket, for the SDKs (each takes a
// custom fetch); undici's fetch can dial one.
'use strict';
const undici = require('undici');

module.exports = function unixFetch(socketPath) {
  const dispatcher = new undici.Agent({ connect: { socketPath } });
  return (url, init) => undici.fetch(url, { ...init, dispatcher });
};
