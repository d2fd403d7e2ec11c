#!/usr/bin/env python3
"""Hostile inputs for the memory measurements in BENCHMARKS.md (\"Memory for
hostile inputs\"): python3 benches/hostile_inputs.py DIR. Sparse files take
no room on disk."""
import os, struct, sys, zlib

OUT = sys.argv[1] if len(sys.argv) > 1 else "inputs"
os.makedirs(OUT, exist_ok=True)


def path(name):
    return os.path.join(OUT, name)


def sparse(name, size, head=b""):
    with open(path(name), "wb") as f:
        f.write(head)
        f.truncate(size)


def pdf(objects, root=1, extra_trailer=b""):
    """objects: list of bytes bodies, numbered from 1."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<</Size %d/Root %d 0 R%s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, root, extra_trailer, xref)
    return bytes(out)


def stream(dict_body, data):
    return b"<<" + dict_body + b"/Length %d>>\nstream\n" % len(data) + data + b"\nendstream"


def many_pages(n, fanout=100):
    # 1 catalog, 2 content, then pages, then tree nodes (balanced).
    objs = [None, stream(b"", b"BT /F1 12 Tf 72 720 Td (Page) Tj ET")]
    first_page = 3
    page_ids = list(range(first_page, first_page + n))
    next_id = first_page + n
    level = page_ids
    parent_of = {}
    nodes = []  # (id, kids, count)
    counts = {p: 1 for p in page_ids}
    while len(level) > 1 or not nodes:
        new_level = []
        for i in range(0, len(level), fanout):
            kids = level[i:i + fanout]
            nid = next_id
            next_id += 1
            for k in kids:
                parent_of[k] = nid
            counts[nid] = sum(counts[k] for k in kids)
            nodes.append((nid, kids))
            new_level.append(nid)
        level = new_level
    root_node = level[0]
    objs[0] = b"<</Type/Catalog/Pages %d 0 R>>" % root_node
    for p in page_ids:
        objs.append(b"<</Type/Page/Parent %d 0 R/MediaBox[0 0 612 792]/Contents 2 0 R>>" % parent_of[p])
    for nid, kids in nodes:
        parent = b"/Parent %d 0 R" % parent_of[nid] if nid in parent_of else b""
        objs.append(b"<</Type/Pages%s/Count %d/Kids[%s]>>" % (
            parent, counts[nid], b" ".join(b"%d 0 R" % k for k in kids)))
    return pdf(objs)


def deflate_zeros(total, chunk=64 << 20, fill=b" "):
    c = zlib.compressobj(9)
    out = bytearray()
    block = fill * chunk
    left = total
    while left > 0:
        take = min(left, chunk)
        out += c.compress(block[:take])
        left -= take
    out += c.flush()
    return bytes(out)


def bomb_content(total):
    data = deflate_zeros(total)
    objs = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Count 1/Kids[3 0 R]>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>",
        stream(b"/Filter/FlateDecode", data),
    ]
    return pdf(objs)


def bomb_image(total):
    # An image stream (drawn) that inflates to `total` bytes.
    data = deflate_zeros(total, fill=b"\0")
    objs = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Count 1/Kids[3 0 R]>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<</XObject<</Im0 5 0 R>>>>/Contents 4 0 R>>",
        stream(b"", b"q 612 0 0 792 0 0 cm /Im0 Do Q"),
        stream(b"/Type/XObject/Subtype/Image/Width 40000/Height 50000/ColorSpace/DeviceGray/BitsPerComponent 8/Filter/FlateDecode", data),
    ]
    return pdf(objs)


def bomb_objstm(total):
    # An object stream whose decoded body is huge (spaces after object 5).
    body = b"5 0 "
    first = len(body)
    inner = b"<</Kind/Filler>>"
    c = zlib.compressobj(9)
    comp = c.compress(body + inner)
    left = total
    block = b" " * (64 << 20)
    while left > 0:
        take = min(left, len(block))
        comp += c.compress(block[:take])
        left -= take
    comp += c.flush()
    objs = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Count 1/Kids[3 0 R]>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>",
        stream(b"", b"BT ET"),
        b"null",
        stream(b"/Type/ObjStm/N 1/First %d/Filter/FlateDecode" % first, comp),
    ]
    # Object 5 lives in the object stream: an xref stream would say so;
    # a classic table cannot. Leave it in the body as null, and rely on the
    # reader decoding every object stream it finds.
    return pdf(objs)


def many_tokens(n):
    # A PDF with one array of n integers: memory is per object, not per byte.
    arr = b"[" + b"0 " * n + b"]"
    objs = [
        b"<</Type/Catalog/Pages 2 0 R/Filler 5 0 R>>",
        b"<</Type/Pages/Count 1/Kids[3 0 R]>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>",
        stream(b"", b"BT ET"),
        arr,
    ]
    return pdf(objs)


def nested(depth):
    arr = b"[" * depth + b"]" * depth
    objs = [
        b"<</Type/Catalog/Pages 2 0 R/Deep 5 0 R>>",
        b"<</Type/Pages/Count 1/Kids[3 0 R]>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>",
        stream(b"", b"BT ET"),
        arr,
    ]
    return pdf(objs)


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def huge_png(w, h):
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 1024)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def gif(w, h, frames):
    out = bytearray(b"GIF89a" + struct.pack("<HH", w, h) + bytes([0x80, 0, 0]) + b"\0\0\0\xff\xff\xff")
    out += b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    frame = (b"\x21\xf9\x04\x00\x01\x00\x00\x00"
             + b"\x2c" + struct.pack("<HHHH", 0, 0, 1, 1) + b"\x00"
             + b"\x02\x02\x44\x01\x00")
    out += frame * frames
    out += b"\x3b"
    return bytes(out)


def huge_gif():
    return gif(65535, 65535, 1)


def webp_huge():
    # VP8X canvas 16384 x 16384 with a VP8L image of 16384 x 16384.
    w = h = 16384
    vp8x = bytes([0, 0, 0, 0]) + (w - 1).to_bytes(3, "little") + (h - 1).to_bytes(3, "little")
    bits = (w - 1) | ((h - 1) << 14)
    vp8l = b"\x2f" + struct.pack("<I", bits) + b"\0" * 16
    def chunk(k, d):
        return k + struct.pack("<I", len(d)) + d + (b"\0" if len(d) % 2 else b"")
    body = b"WEBP" + chunk(b"VP8X", vp8x) + chunk(b"VP8L", vp8l)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def mp4_nested(depth):
    # ftyp, then moov > udta > udta > ... (depth boxes), all sizes exact.
    inner = b""
    for _ in range(depth):
        inner = struct.pack(">I", 8 + len(inner)) + b"udta" + inner
    moov = struct.pack(">I", 8 + len(inner)) + b"moov" + inner
    ftyp = struct.pack(">I", 16) + b"ftypisom" + b"\0\0\0\0"
    return ftyp + moov


def mp4_many_boxes(n):
    ftyp = struct.pack(">I", 16) + b"ftypisom" + b"\0\0\0\0"
    return ftyp + (struct.pack(">I", 8) + b"free") * n


def write(name, data):
    with open(path(name), "wb") as f:
        f.write(data)


def at_limits():
    write("values-1.99m.pdf", many_tokens(1_990_000))
    # 240,000 small objects (each three values), none referenced.
    objs = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Count 1/Kids[3 0 R]>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>",
        stream(b"", b"BT ET"),
    ] + [b"<</A 1>>"] * 240_000
    write("objects-240k.pdf", pdf(objs))
    write("pages-10k.pdf", many_pages(10_000))
    # A page drawing with 990,000 operands (numbers), then one operator.
    draw = b"0 " * 990_000 + b"n"
    objs = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Count 1/Kids[3 0 R]>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>",
        stream(b"/Filter/FlateDecode", zlib.compress(draw, 9)),
    ]
    write("drawing-990k.pdf", pdf(objs))


def png_rows(name, w, h, bit_depth, colour, bpp):
    raw_row = b"\0" + bytes(w * bpp)
    c = zlib.compressobj(1)
    idat = bytearray()
    for _ in range(h):
        idat += c.compress(raw_row)
    idat += c.flush()
    ihdr = struct.pack(">IIBBBBB", w, h, bit_depth, colour, 0, 0, 0)
    write(name, b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", bytes(idat)) + png_chunk(b"IEND", b""))


def big_pngs():
    png_rows("png-100mp-rgb8.png", 10_000, 10_000, 8, 2, 3)
    png_rows("png-100mp-rgba16.png", 10_000, 10_000, 16, 6, 8)


def markdown_at_limit():
    body = "a\n\n" * ((2_000_000 - 40) // 3)
    with open(path("page-paras-2m.md"), "w") as f:
        f.write("+++\ntitle = \"Big\"\n+++\n\n" + body)


def box(kind, body):
    return struct.pack(">I", 8 + len(body)) + kind + body


def full(kind, body, version=0):
    return box(kind, bytes([version, 0, 0, 0]) + body)


def mp4_tables(chunks, samples, tracks=1):
    """An MP4 whose tracks declare `chunks` chunk offsets and `samples`
    4-bit sample sizes (stz2): tables that cost far more memory than bytes."""
    ftyp = box(b"ftyp", b"isom\0\0\0\0isom")
    mvhd = full(b"mvhd", bytes(96))
    traks = b""
    for _ in range(tracks):
        tkhd = full(b"tkhd", bytes(80))
        mdhd = full(b"mdhd", bytes(20))
        hdlr = full(b"hdlr", b"\0\0\0\0vide" + bytes(12) + b"\0")
        stsd = full(b"stsd", struct.pack(">I", 0))
        stts = full(b"stts", struct.pack(">I", 0))
        stsc = full(b"stsc", struct.pack(">I", 1) + struct.pack(">III", 1, max(1, samples // max(1, chunks)), 1))
        stz2 = full(b"stz2", b"\0\0\0\x04" + struct.pack(">I", samples) + bytes((samples + 1) // 2))
        stco = full(b"stco", struct.pack(">I", chunks) + bytes(4 * chunks))
        dinf = box(b"dinf", full(b"dref", struct.pack(">I", 1) + full(b"url ", b"", 0)[:8] + b"\0\0\0\x01"))
        stbl = box(b"stbl", stsd + stts + stsc + stz2 + stco)
        minf = box(b"minf", full(b"vmhd", bytes(8)) + dinf + stbl)
        mdia = box(b"mdia", mdhd + hdlr + minf)
        traks += box(b"trak", tkhd + mdia)
    moov = box(b"moov", mvhd + traks)
    mdat = box(b"mdat", b"\0" * 16)
    return ftyp + moov + mdat


def dup_xref(n_entries, values):
    """One array of `values` numbers, listed under `n_entries` more numbers."""
    out = bytearray(b"%PDF-1.7\n")
    offs = []
    bodies = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Count 1/Kids[3 0 R]>>",
              b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>", stream(b"", b"BT ET"),
              b"[" + b"0 " * values + b"]"]
    for i, b in enumerate(bodies, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % i + b + b"\nendobj\n"
    xref = len(out)
    total = 5 + n_entries
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (total + 1)
    for o in offs:
        out += b"%010d 00000 n \n" % o
    for _ in range(n_entries):
        out += b"%010d 00000 n \n" % offs[4]
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (total + 1, xref)
    return bytes(out)


if __name__ == "__main__":
    sparse("unknown-1g.bin", 1 << 30)
    sparse("unknown-3g.bin", 3 << 30)
    sparse("jpeg-head-3g.jpg", 3 << 30, b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    sparse("pdf-head-3g.pdf", 3 << 30, b"%PDF-1.7\n")
    write("pages-300k.pdf", many_pages(300_000))
    write("bomb-content-2g.pdf", bomb_content(2 << 30))
    write("bomb-objstm-2g.pdf", bomb_objstm(2 << 30))
    write("tokens-50m.pdf", many_tokens(50_000_000))
    write("nested-100k.pdf", nested(100_000))
    write("dup-xref-2k.pdf", dup_xref(2_000, 500_000))
    write("huge.png", huge_png(100_000, 100_000))
    write("frames-100k.gif", gif(4, 4, 100_000))
    write("nested-boxes.mp4", mp4_nested(1_000_000))
    write("tables-50m.mp4", mp4_tables(40_000_000, 50_000_000))
    write("tables-4m-x10.mp4", mp4_tables(4_000_000, 4_000_000, tracks=10))
    big_pngs()
    # At the limits: accepted, the most memory a file within them takes.
    at_limits()
    write("tables-4.9m.mp4", mp4_tables(4_900_000, 4_900_000))
    markdown_at_limit()
