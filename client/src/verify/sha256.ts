// SHA-256 through WebCrypto (browsers and Node 20 alike), as the manifest's lower-case hex.
export async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data as BufferSource));
  let hex = '';
  for (const b of digest) hex += (b < 16 ? '0' : '') + b.toString(16);
  return hex;
}

export async function verifyHash(data: Uint8Array, hash: string): Promise<boolean> {
  return (await sha256Hex(data)) === hash;
}
