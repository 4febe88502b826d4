// Giving a browser the lab CA the way a visitor's browser trusts a public CA: as a trust anchor
// for TLS servers in the profile's own NSS database (certutil from libnss3-tools). Never a switch
// that ignores certificate errors. Both return the folder to pass to the browser.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const NICKNAME = 'CircleCDN Lab CA';

function nssDatabase(dir, ca) {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password']);
  execFileSync('certutil', ['-A', '-d', `sql:${dir}`, '-n', NICKNAME, '-t', 'C,,', '-i', ca]);
}

// Chromium on Linux reads $HOME/.pki/nssdb: launch it with env HOME = the returned folder.
export function chromiumHome(dir, ca) {
  if (ca) nssDatabase(path.join(dir, '.pki/nssdb'), ca);
  else fs.mkdirSync(dir, { recursive: true });
  return dir;
}

// Firefox keeps its NSS database (cert9.db) in the profile: made before Firefox first opens the
// profile, then passed as puppeteer's userDataDir.
export function firefoxProfile(dir, ca) {
  if (ca) nssDatabase(dir, ca);
  else fs.mkdirSync(dir, { recursive: true });
  return dir;
}
