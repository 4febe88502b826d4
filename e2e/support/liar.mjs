// Test-only page behaviour for a lying holder, injected before the page's scripts: flips one
// payload byte of every data frame (kind 1, 13-byte header; docs/client.md) the page sends on a
// DataChannel, and counts them in window.__circleLies. Used by e2e 02, 13-sw-liar and lab e2e 08.
export const LIAR = () => {
  const send = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function (data) {
    if (data instanceof Uint8Array && data[0] === 1 && data.length > 13) {
      data = data.slice();
      data[13 + ((data.length - 13) >> 1)] ^= 0x5a;
      window.__circleLies = (window.__circleLies ?? 0) + 1;
    }
    return send.call(this, data);
  };
};
