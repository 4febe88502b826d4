#!/usr/bin/env python3
# Bytes and CPU time of gzip -9 and brotli 5 / 9 / 11 (libbrotlienc through ctypes) per file:
# what chose the origin's levels (origin/compression.hpp).
#   python3 bench/origin/compression-levels.py FILE...
import ctypes, time, zlib, sys, glob
lib = ctypes.CDLL("/usr/lib/x86_64-linux-gnu/libbrotlienc.so.1")
lib.BrotliEncoderMaxCompressedSize.restype = ctypes.c_size_t
lib.BrotliEncoderMaxCompressedSize.argtypes = [ctypes.c_size_t]
lib.BrotliEncoderCompress.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_size_t, ctypes.c_char_p, ctypes.POINTER(ctypes.c_size_t), ctypes.c_char_p]
def br(data, q):
    n = ctypes.c_size_t(lib.BrotliEncoderMaxCompressedSize(len(data)))
    out = ctypes.create_string_buffer(n.value)
    t = time.process_time()
    assert lib.BrotliEncoderCompress(q, 22, 1, len(data), data, ctypes.byref(n), out)
    return n.value, time.process_time() - t
files = sys.argv[1:]
for f in files:
    data = open(f, "rb").read()
    t = time.process_time(); g = zlib.compress(data, 9); tg = time.process_time() - t
    row = [f.split("/")[-1], len(data), "gzip9 %d %.1fms" % (len(g), tg*1000)]
    for q in (5, 9, 11):
        n, tt = br(data, q)
        row.append("br%d %d %.1fms" % (q, n, tt*1000))
    print(*row)
