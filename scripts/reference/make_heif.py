#!/usr/bin/env python3
"""Builds core/src/test/resources/corpus/heif/: HEIC and AVIF test files made from the project's
own test photos with Debian's real encoders, the expected outcome of each (manifest.json) and a
README table.

    apt-get install libheif-examples libavif-bin     # heif-enc, heif-convert, avifenc, avifdec
    python scripts/reference/make_heif.py            # Pillow and numpy (requirements.txt)
    python scripts/reference/make_heif.py --tensors  # also the torchvision reference tensors (torch)
    python scripts/reference/make_heif.py --phone OUT.heic [--size 4032x3024]  # a 12 MP phone-style
                                                     # grid HEIC for speed measurements (not committed)

Pixels always come from a real encoder: x265 through libheif's heif-enc for HEVC, libaom through
libavif's avifenc for AV1. heif-enc 1.15 (Debian 12) writes neither tile grids nor rotations, so
for the phone-style files this script encodes each tile with heif-enc and writes the HEIF boxes
around those bitstreams itself, the way phones lay them out: a grid of equal tiles (hidden items
sharing one hvcC), the grid's output size cropped off the padded tiles, an 'irot' rotation
together with an EXIF Orientation tag that says the same, and a thumbnail item.

The reference decode of each good file is libheif's: heif-convert to PNG (it applies irot and
imir), then Pillow's convert('RGB'), which drops alpha; Pillow's own AVIF decoder (libavif, irot
and imir turned into an EXIF orientation, ImageOps.exif_transpose) must agree with it, and
avifdec (which ignores irot/imir) gives the stored pixels of AVIF files. As for the corpus
(make_corpus.py) the reference is kept as the mean colour of each cell of an 8x8 grid, plus the
same for the un-rotated stored pixels where a transform changes them.

EXIF orientation: HEIF and AVIF carry the orientation as the irot/imir properties, which
libheif, libavif and browsers apply; an EXIF Orientation tag in the file is not applied on top.
heif-enc 1.15 writes such a file from a JPEG with EXIF Orientation=6: the stored pixels, the EXIF
block, no irot (heic-exif6-no-irot.heic); libheif and pillow-heif show it as stored, and so must
this project's decoder, or its vectors would not match what every viewer shows.

--tensors writes, for the files in PARITY, the torchvision reference path on heif-convert's PNG
(Resize(256), CenterCrop(224), ToTensor, Normalize) as <stem>.tensor.npy and the tiny encoder's
embedding as <stem>.tiny.npy into corpus/heif/reference/, as make_reference.py does for photos.
"""
import argparse
import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")  # ONNX Runtime 1.29: no telemetry; before it loads

import numpy as np
from PIL import Image, ImageOps

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_corpus import grid_means, mean_diff  # noqa: E402  (same grid as the corpus)

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
RES = os.path.join(ROOT, "core/src/test/resources")
PHOTOS = os.path.join(RES, "photos")
OUT = os.path.join(RES, "corpus/heif")
GRID = 8
# Files whose full torchvision reference tensors are committed (--tensors): one of each codec.
PARITY = ["good/heic-phone-grid.heic", "good/avif-grid-10bit-444.avif"]


# ---------------------------------------------------------------------------------------------
# ISOBMFF boxes


def box(kind, payload):
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def fullbox(kind, version, flags, payload):
    return box(kind, struct.pack(">I", (version << 24) | flags) + payload)


def parse_boxes(d, start, end):
    """(type, payload start, box end) of the boxes in d[start:end]."""
    out = []
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", d[pos:pos + 8])
        header = 8
        if size == 1:
            size = struct.unpack(">Q", d[pos + 8:pos + 16])[0]
            header = 16
        elif size == 0:
            size = end - pos
        out.append((kind, pos + header, pos + size))
        pos += size
    return out


def uint(d, pos, n):
    return int.from_bytes(d[pos:pos + n], "big") if n else 0


def read_heif(d):
    """The items of a HEIF file: {id: {type, data, props: [box bytes]}}, primary id."""
    top = {k: (s, e) for k, s, e in parse_boxes(d, 0, len(d))}
    ms, me = top[b"meta"]
    meta = {k: (s, e) for k, s, e in parse_boxes(d, ms + 4, me)}
    items = {}
    s, e = meta[b"pitm"]
    primary = uint(d, s + 4, 2 if d[s] == 0 else 4)
    s, e = meta[b"iinf"]
    count_size = 2 if d[s] == 0 else 4
    for kind, bs, be in parse_boxes(d, s + 4 + count_size, e):
        version = d[bs]
        id_size = 2 if version == 2 else 4
        item_id = uint(d, bs + 4, id_size)
        item_type = d[bs + 4 + id_size + 2:bs + 4 + id_size + 6]
        items[item_id] = {"type": item_type, "props": [], "data": b""}
    s, e = meta[b"iloc"]
    version = d[s]
    offset_size, length_size = d[s + 4] >> 4, d[s + 4] & 15
    base_size, index_size = d[s + 5] >> 4, d[s + 5] & 15
    pos = s + 6
    count = uint(d, pos, 2 if version < 2 else 4)
    pos += 2 if version < 2 else 4
    idat = meta.get(b"idat")
    for _ in range(count):
        item_id = uint(d, pos, 2 if version < 2 else 4)
        pos += 2 if version < 2 else 4
        method = 0
        if version in (1, 2):
            method = uint(d, pos, 2) & 15
            pos += 2
        pos += 2  # data reference index
        base = uint(d, pos, base_size)
        pos += base_size
        extents = uint(d, pos, 2)
        pos += 2
        data = b""
        for _ in range(extents):
            if version in (1, 2) and index_size:
                pos += index_size
            off = uint(d, pos, offset_size)
            pos += offset_size
            length = uint(d, pos, length_size)
            pos += length_size
            at = base + off + (idat[0] if method == 1 else 0)
            data += d[at:at + length]
        items[item_id]["data"] = data
    s, e = meta[b"iprp"]
    sub = {k: (bs, be) for k, bs, be in parse_boxes(d, s, e)}
    ps, pe = sub[b"ipco"]
    props = [d[bs - 8:be] for _, bs, be in parse_boxes(d, ps, pe)]
    s, e = sub[b"ipma"]
    version, flags = d[s], uint(d, s + 1, 3)
    count = uint(d, s + 4, 4)
    pos = s + 8
    for _ in range(count):
        item_id = uint(d, pos, 2 if version < 1 else 4)
        pos += 2 if version < 1 else 4
        n = d[pos]
        pos += 1
        for _ in range(n):
            if flags & 1:
                index = uint(d, pos, 2) & 0x7FFF
                pos += 2
            else:
                index = d[pos] & 0x7F
                pos += 1
            if index:
                items[item_id]["props"].append(props[index - 1])
    return items, primary


def prop_of(item, kind):
    return next(p for p in item["props"] if p[4:8] == kind)


def write_heif(brands, items, primary, props, refs):
    """A HEIF file: ftyp, meta (hdlr, pitm, iinf, iref, iprp, iloc, idat), mdat.

    items: [{id, type, data, hidden, idat, props: [index into props, 1-based, essential flag]}]
    props: [box bytes]; refs: [(type, from_id, [to_ids])].
    """
    ftyp = box(b"ftyp", brands[0] + struct.pack(">I", 0) + b"".join(brands))
    hdlr = fullbox(b"hdlr", 0, 0, struct.pack(">I", 0) + b"pict" + bytes(12) + b"\0")
    pitm = fullbox(b"pitm", 0, 0, struct.pack(">H", primary))
    infe = b"".join(
        fullbox(b"infe", 2, 1 if it.get("hidden") else 0,
                struct.pack(">HH", it["id"], 0) + it["type"] + b"\0")
        for it in items)
    iinf = fullbox(b"iinf", 0, 0, struct.pack(">H", len(items)) + infe)
    iref = fullbox(b"iref", 0, 0, b"".join(
        box(kind, struct.pack(">HH", src, len(dst)) + b"".join(struct.pack(">H", t) for t in dst))
        for kind, src, dst in refs)) if refs else b""
    ipma_entries = b""
    n = 0
    for it in items:
        if it.get("props"):
            n += 1
            ipma_entries += struct.pack(">HB", it["id"], len(it["props"])) + bytes(
                (0x80 if essential else 0) | index for index, essential in it["props"])
    ipma = fullbox(b"ipma", 0, 0, struct.pack(">I", n) + ipma_entries)
    iprp = box(b"iprp", box(b"ipco", b"".join(props)) + ipma)
    idat_data = b"".join(it["data"] for it in items if it.get("idat"))
    idat = box(b"idat", idat_data) if idat_data else b""

    def iloc(mdat_start):
        entries = b""
        file_at, idat_at = mdat_start, 0
        for it in items:
            if it.get("idat"):
                entries += struct.pack(">HHHHII", it["id"], 1, 0, 1, idat_at, len(it["data"]))
                idat_at += len(it["data"])
            else:
                entries += struct.pack(">HHHHII", it["id"], 0, 0, 1, file_at, len(it["data"]))
                file_at += len(it["data"])
        return fullbox(b"iloc", 1, 0, bytes([0x44, 0x00]) + struct.pack(">H", len(items)) + entries)

    def meta(mdat_start):
        return fullbox(b"meta", 0, 0, hdlr + pitm + iinf + iref + iprp + iloc(mdat_start) + idat)

    mdat_start = len(ftyp) + len(meta(0)) + 8
    mdat = box(b"mdat", b"".join(it["data"] for it in items if not it.get("idat")))
    return ftyp + meta(mdat_start) + mdat


def ispe(w, h):
    return fullbox(b"ispe", 0, 0, struct.pack(">II", w, h))


def irot(angle):
    """Rotation by angle * 90 degrees anti-clockwise."""
    return box(b"irot", bytes([angle & 3]))


def imir(axis):
    """Mirroring (ISO/IEC 23008-12:2022, 6.5.12): axis 0 exchanges top and bottom, axis 1 left
    and right (EXIF orientations 4 and 2). libheif, libavif and Pillow all read it so."""
    return box(b"imir", bytes([axis & 1]))


def pixi(depth, channels=3):
    return fullbox(b"pixi", 0, 0, bytes([channels] + [depth] * channels))


def nclx(primaries, transfer, matrix, full):
    return box(b"colr", b"nclx" + struct.pack(">HHHB", primaries, transfer, matrix, 0x80 if full else 0))


def exif_orientation(value):
    """An EXIF payload as HEIF stores it: a 4-byte offset to the TIFF header, then IFD0 with
    Orientation (big-endian TIFF)."""
    tiff = b"MM\0*" + struct.pack(">I", 8) + struct.pack(">H", 1)
    tiff += struct.pack(">HHIHH", 0x0112, 3, 1, value, 0) + struct.pack(">I", 0)
    return struct.pack(">I", 0) + tiff


# ---------------------------------------------------------------------------------------------
# Encoders


def run(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def heif_enc(image, tmp, quality, extra=(), name="in"):
    """Encodes a PIL image with heif-enc (x265) and returns the file's bytes."""
    src = os.path.join(tmp, name + ".png")
    image.save(src)
    out = os.path.join(tmp, name + ".heic")
    run(["heif-enc", "-q", str(quality), *extra, "-o", out, src])
    with open(out, "rb") as f:
        return f.read()


def hevc_tiles(picture, tile, tmp, quality):
    """Pads picture to whole tiles (edge pixels repeated, as encoders pad), encodes each tile
    with heif-enc and returns (hvcC box, [tile bitstreams], columns, rows)."""
    w, h = picture.size
    cols, rows = -(-w // tile), -(-h // tile)
    arr = np.asarray(picture.convert("RGB"))
    padded = np.pad(arr, ((0, rows * tile - h), (0, cols * tile - w), (0, 0)), mode="edge")
    hvcc, data = None, []
    for r in range(rows):
        for c in range(cols):
            part = Image.fromarray(padded[r * tile:(r + 1) * tile, c * tile:(c + 1) * tile])
            items, primary = read_heif(heif_enc(part, tmp, quality, name=f"tile{r}_{c}"))
            item = items[primary]
            assert item["type"] == b"hvc1", item["type"]
            config = prop_of(item, b"hvcC")
            # x265 writes the same parameter sets for every tile of one size and quality.
            assert hvcc in (None, config), "tiles need different hvcC boxes"
            hvcc = config
            data.append(item["data"])
    return hvcc, data, cols, rows


def phone_heic(stored, tile, quality, tmp, rotation=None, mirror=None, exif=None, thumb=True,
               colour=True):
    """A HEIC laid out as phones write them: the stored (sensor-oriented) pixels as a grid of
    hidden tiles sharing one hvcC, the grid item primary with its output size, then the
    transforms (irot before imir), an EXIF item and a thumbnail."""
    w, h = stored.size
    hvcc, tiles, cols, rows = hevc_tiles(stored, tile, tmp, quality)
    props = [hvcc, ispe(tile, tile), ispe(w, h), pixi(8)]
    grid_props = [(3, False), (4, False)]
    if colour:
        props.append(nclx(1, 13, 6, True))  # what heif-enc signals in its x265 VUI: BT.601, full
        grid_props.append((len(props), True))
    if rotation is not None:
        props.append(irot(rotation))
        grid_props.append((len(props), True))
    if mirror is not None:
        props.append(imir(mirror))
        grid_props.append((len(props), True))
    n = len(tiles)
    items = [{"id": 1 + i, "type": b"hvc1", "data": t, "hidden": True,
              "props": [(1, True), (2, False)]} for i, t in enumerate(tiles)]
    grid_id = n + 1
    grid = struct.pack(">BBBBHH", 0, 0, rows - 1, cols - 1, w, h)
    items.append({"id": grid_id, "type": b"grid", "data": grid, "idat": True, "props": grid_props})
    refs = [(b"dimg", grid_id, [1 + i for i in range(n)])]
    next_id = grid_id + 1
    if thumb:
        small = stored.copy()
        small.thumbnail((max(16, w // 4) // 2 * 2, max(16, h // 4) // 2 * 2))
        small = small.crop((0, 0, small.width // 2 * 2, small.height // 2 * 2))
        titems, tprimary = read_heif(heif_enc(small, tmp, quality, name="thumb"))
        titem = titems[tprimary]
        props.append(prop_of(titem, b"hvcC"))
        props.append(ispe(small.width, small.height))
        items.append({"id": next_id, "type": b"hvc1", "data": titem["data"],
                      "props": [(len(props) - 1, True), (len(props), False)]})
        refs.append((b"thmb", next_id, [grid_id]))
        next_id += 1
    if exif is not None:
        items.append({"id": next_id, "type": b"Exif", "data": exif_orientation(exif)})
        refs.append((b"cdsc", next_id, [grid_id]))
    return write_heif([b"heic", b"mif1", b"heic", b"miaf"], items, grid_id, props, refs)


def avifenc(image, tmp, args, name="in"):
    src = os.path.join(tmp, name + ".png")
    image.save(src)
    out = os.path.join(tmp, name + ".avif")
    run(["avifenc", "-j", "1", "-s", "6", *args, src, out])
    with open(out, "rb") as f:
        return f.read()


def png16(rgb8, path):
    """A 16-bit RGB PNG of an 8-bit picture (value * 257), so heif-enc -b 10 makes 10 bits."""
    import zlib
    h, w, _ = rgb8.shape
    v = (rgb8.astype(">u2") * 257).reshape(h, w * 3)
    raw = b"".join(b"\0" + row.tobytes() for row in v)

    def chunk(kind, payload):
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def photo(name, size=None):
    im = ImageOps.exif_transpose(Image.open(os.path.join(PHOTOS, name))).convert("RGB")
    im = im.resize(size, Image.LANCZOS) if size else im
    im.info = {}  # no ICC profile or EXIF from the source: the files carry what is set here
    return im


# ---------------------------------------------------------------------------------------------
# The files


def good_files(tmp):
    """(name, what, bytes, bytes of the same file without its transforms or None)."""
    out = []
    coffee = photo("coffee.jpg", (384, 256))
    out.append(("good/heic-single.heic",
                "HEIC as heif-enc writes it: one HEVC item, 8-bit 4:2:0, 384x256",
                heif_enc(coffee, tmp, 40), None))

    # heif-enc 1.15 keeps the JPEG's stored pixels and its EXIF block (Orientation=6) but writes
    # no irot: HEIF readers show it as stored. The odd width makes heif-enc wrap a 428-wide tile
    # in a 1x1 grid that crops one column.
    with open(os.path.join(PHOTOS, "dandelion_exif6.jpg"), "rb") as f:
        src = os.path.join(tmp, "dandelion_exif6.jpg")
        with open(src, "wb") as g:
            g.write(f.read())
    run(["heif-enc", "-q", "30", "-o", os.path.join(tmp, "d6.heic"), src])
    with open(os.path.join(tmp, "d6.heic"), "rb") as f:
        out.append(("good/heic-exif6-no-irot.heic",
                    "heif-enc of a JPEG with EXIF Orientation=6: the stored 427x640 pixels (a 1x1 "
                    "grid cropping a 428-wide tile), the EXIF block but no irot: shown as stored, "
                    "as libheif and pillow-heif show it (HEIF readers apply irot/imir, not EXIF)",
                    f.read(), None))

    # Phone-style: sensor-oriented pixels, irot 3 (90 degrees clockwise) and EXIF 6 together.
    # The upright picture is 500x334; a phone stores it turned 90 degrees anti-clockwise.
    stored = photo("dandelion_exif6.jpg", (500, 334)).transpose(Image.Transpose.ROTATE_90)
    kw = dict(tile=128, quality=35, tmp=tmp, exif=6)
    out.append(("good/heic-phone-grid.heic",
                "phone layout: 3x4 grid of 128x128 HEVC tiles cropped to 334x500, irot=3 and "
                "EXIF Orientation=6 (rotate once: 500x334), thumbnail, nclx",
                phone_heic(stored, rotation=3, **kw), phone_heic(stored, **kw)))

    # Stored so that irot=1 (90 degrees anti-clockwise), then imir axis 0 (top-bottom), show the
    # 240x360 picture upright.
    dogs = photo("dogs.jpg", (240, 360))
    dogs = dogs.transpose(Image.Transpose.FLIP_TOP_BOTTOM).transpose(Image.Transpose.ROTATE_270)
    kw = dict(tile=120, quality=40, tmp=tmp, thumb=False)
    out.append(("good/heic-grid-irot1-imir0.heic",
                "3x2 grid stored sideways and mirrored: irot=1 (90 degrees anti-clockwise), then "
                "imir axis 0 (top and bottom exchanged) show it upright",
                phone_heic(dogs, rotation=1, mirror=0, **kw), phone_heic(dogs, **kw)))

    hubble = np.asarray(photo("hubble.jpg", (320, 240)))
    src16 = os.path.join(tmp, "hubble16.png")
    png16(hubble, src16)
    run(["heif-enc", "-q", "45", "-b", "10", "-p", "chroma=444", "-o",
         os.path.join(tmp, "h10.heic"), src16])
    with open(os.path.join(tmp, "h10.heic"), "rb") as f:
        out.append(("good/heic-10bit-444.heic", "10-bit 4:4:4 HEVC (heif-enc -b 10 of a 16-bit PNG)",
                    f.read(), None))

    chelsea = photo("chelsea.png", (300, 200)).convert("RGBA")
    alpha = np.tile(np.linspace(40, 255, 300, dtype=np.uint8), (200, 1))
    chelsea.putalpha(Image.fromarray(alpha))
    out.append(("good/heic-alpha.heic", "HEVC with an alpha item (dropped, as for PNG)",
                heif_enc(chelsea, tmp, 40, name="alpha"), None))

    astronaut = photo("astronaut.jpg", (320, 320))
    out.append(("good/avif-420.avif", "AVIF as avifenc writes a JPEG: 8-bit 4:2:0, 320x320",
                avifenc(astronaut, tmp, ["-y", "420", "--min", "28", "--max", "36"]), None))

    wide = photo("coffee.jpg", (384, 256))
    out.append(("good/avif-grid-10bit-444.avif",
                "avifenc --grid 3x2: six 128x128 AV1 tiles, 10-bit 4:4:4",
                avifenc(wide, tmp, ["-g", "3x2", "-d", "10", "-y", "444",
                                    "--min", "24", "--max", "32"]), None))

    exif = os.path.join(tmp, "exif6.bin")
    with open(exif, "wb") as f:
        f.write(exif_orientation(6)[4:])  # avifenc takes the TIFF block and adds the offset
    side = photo("dogs.jpg", (240, 360)).transpose(Image.Transpose.ROTATE_90)  # stored sideways
    args = ["-y", "420", "--min", "28", "--max", "36"]
    out.append(("good/avif-irot3-exif6.avif",
                "AVIF stored sideways with irot=3 and EXIF Orientation=6 (rotate once)",
                avifenc(side, tmp, args + ["--irot", "3", "--exif", exif], name="side"),
                # avifenc 0.11 derives irot from an EXIF orientation itself: no EXIF here.
                avifenc(side, tmp, args, name="side-plain")))

    cat = photo("chelsea.png", (320, 256))
    out.append(("good/avif-clap.avif",
                "AVIF with a clean aperture (clap) cropping its 320x256 picture to 256x208 at "
                "24,16 (libheif applies it; Pillow does not)",
                avifenc(cat, tmp, args + ["--crop", "24,16,256,208"], name="clap"), None))

    rgba = photo("astronaut.jpg", (256, 256)).convert("RGBA")
    rgba.putalpha(Image.fromarray(np.tile(np.linspace(255, 0, 256, dtype=np.uint8)[:, None],
                                          (1, 256))))
    out.append(("good/avif-alpha-imir1.avif",
                "AVIF with alpha (dropped) and imir axis 1 (left and right exchanged)",
                avifenc(rgba, tmp, args + ["--imir", "1"], name="rgba"),
                avifenc(rgba, tmp, args, name="rgba-plain")))
    return out


def bad_files(good):
    d = dict((name, data) for name, _, data, _ in good)
    grid = d["good/heic-phone-grid.heic"]
    single = d["good/heic-single.heic"]
    avif = d["good/avif-420.avif"]
    items, primary = read_heif(single)
    hevc = items[primary]["data"]
    at = single.index(hevc)

    def damaged(data, start, length):
        """Overwrites length bytes from start with a fixed pattern (a run of bad sectors)."""
        return data[:start] + bytes([0xA5, 0x5A] * (length // 2)) + data[start + length:]

    bomb = bytearray(single)
    i = bomb.index(b"ispe")
    bomb[i + 8:i + 16] = struct.pack(">II", 40000, 30000)
    return [
        ("bad/heic-truncated.heic", "TRUNCATED", "the phone-layout grid HEIC cut at 60%",
         grid[:len(grid) * 60 // 100]),
        ("bad/heic-truncated-in-meta.heic", "TRUNCATED",
         "HEIC cut inside its meta box (first 200 bytes)", single[:200]),
        ("bad/avif-truncated.avif", "TRUNCATED", "AVIF cut at 70%", avif[:len(avif) * 70 // 100]),
        ("bad/heic-bomb-40000x30000.heic", "TOO_LARGE",
         "HEIC whose ispe declares 40000x30000 pixels (1.2 Gpx)", bytes(bomb)),
        ("bad/heic-damaged-hevc.heic", "CORRUPT",
         "complete HEIC whose HEVC data is overwritten from its first NAL unit on",
         damaged(single, at, min(len(hevc), 4096))),
    ]


def reference(data, tmp, name):
    """libheif's decode (heif-convert, irot/imir applied) as 8-bit RGB."""
    src = os.path.join(tmp, "ref-" + name)
    with open(src, "wb") as f:
        f.write(data)
    png = src + ".png"
    run(["heif-convert", src, png])
    return np.asarray(Image.open(png).convert("RGB")), png


def cross_check(name, data, rgb, plain, tmp):
    """Other decoders must agree with libheif, including on the orientation."""
    if name.endswith(".avif") and b"clap" not in data:  # Pillow ignores the clean aperture
        pil = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB"))
        assert pil.shape == rgb.shape, (name, pil.shape, rgb.shape)
        diff = np.abs(pil.astype(int) - rgb).mean()
        assert diff < 2, (name, "Pillow and libheif differ", diff)
        src = os.path.join(tmp, "avifdec-" + os.path.basename(name))
        with open(src, "wb") as f:
            f.write(data)
        run(["avifdec", src, src + ".png"])
        stored = np.asarray(Image.open(src + ".png").convert("RGB"))
        if plain is not None:
            assert stored.shape == plain.shape and np.abs(stored.astype(int) - plain).mean() < 2, (
                name, "avifdec's stored pixels differ from the file without transforms")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tensors", action="store_true",
                    help="also write torchvision reference tensors for " + ", ".join(PARITY))
    ap.add_argument("--phone", metavar="OUT.heic",
                    help="write only a phone-size grid HEIC (and OUT.avif) for speed measurements")
    ap.add_argument("--size", default="4032x3024")
    ap.add_argument("--quality", type=int, default=50, help="heif-enc quality of --phone tiles")
    ap.add_argument("--source", default="flower-dandelion-field.jpg",
                    help="sample photo (samples/images) that --phone upscales")
    ap.add_argument("--keep-png", metavar="DIR", help="keep heif-convert's reference PNGs here")
    ap.add_argument("--reference-tensors", nargs="+", metavar=("DIR", "FILE"),
                    help="only write the torchvision reference tensor of each FILE (default: "
                    "every good file here) to DIR as NAME.tensor.npy, for HeifParityBench")
    args = ap.parse_args()
    for tool in ("heif-enc", "heif-convert", "avifenc", "avifdec"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found: apt-get install libheif-examples libavif-bin")
    with tempfile.TemporaryDirectory() as tmp:
        if args.reference_tensors:
            out, *files = args.reference_tensors
            files = files or sorted(os.path.join(OUT, "good", f)
                                    for f in os.listdir(os.path.join(OUT, "good")))
            pngs = {}
            for f in files:
                with open(f, "rb") as fh:
                    pngs[os.path.basename(f)] = reference(fh.read(), tmp, os.path.basename(f))[1]
            tensors(pngs, out, embed=False)
            return
        if args.phone:
            phone_size(args.phone, args.size, args.quality, args.source, tmp)
            return
        good = good_files(tmp)
        bad = bad_files(good)
        for sub in ("good", "bad"):
            os.makedirs(os.path.join(OUT, sub), exist_ok=True)
            for f in os.listdir(os.path.join(OUT, sub)):
                os.remove(os.path.join(OUT, sub, f))
        manifest, rows, pngs = [], [], {}
        for name, what, data, plain in good:
            rgb, png = reference(data, tmp, os.path.basename(name))
            pngs[name] = png
            unoriented = None
            if plain is not None:
                unoriented, _ = reference(plain, tmp, "plain-" + os.path.basename(name))
            cross_check(name, data, rgb, unoriented, tmp)
            entry = entry_of(name, "ok", data)
            n, means = grid_means(rgb, GRID)
            entry.update(width=int(rgb.shape[1]), height=int(rgb.shape[0]), grid=n, means=means)
            if unoriented is not None and unoriented.shape == rgb.shape:
                entry["unorientedMeans"] = grid_means(unoriented, GRID)[1]
                assert mean_diff(means, entry["unorientedMeans"]) > 6, name
            elif unoriented is not None:
                assert unoriented.shape == (rgb.shape[1], rgb.shape[0], 3), name
            write(name, data)
            manifest.append(entry)
            rows.append((name, "ok", what))
        for name, expect, what, data in bad:
            write(name, data)
            manifest.append(entry_of(name, expect, data))
            rows.append((name, expect, what))
        with open(os.path.join(OUT, "manifest.json"), "w") as f:
            json.dump({"files": manifest}, f, indent=1)
            f.write("\n")
        write_readme(rows)
        if args.keep_png:
            os.makedirs(args.keep_png, exist_ok=True)
            for name, png in pngs.items():
                shutil.copy(png, os.path.join(args.keep_png, os.path.basename(name) + ".png"))
        if args.tensors:
            tensors({name: pngs[name] for name in PARITY})
    for e in manifest:
        print(f"{e['file']:40s} {e['expect']:10s} {e['bytes']:7d} bytes"
              + (f"  {e['width']}x{e['height']}" if e["expect"] == "ok" else ""))


def entry_of(name, expect, data):
    return {"file": "heif/" + name, "expect": expect, "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest()}


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def tensors(pngs, ref=os.path.join(OUT, "reference"), embed=True):
    """torchvision's reference path on libheif's decode, as make_reference.py does for photos."""
    import onnxruntime as ort
    import torch
    from torchvision import transforms
    torch.set_num_threads(1)
    pipeline = transforms.Compose([
        transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])
    os.makedirs(ref, exist_ok=True)
    session = ort.InferenceSession(os.path.join(RES, "models/tiny-encoder.onnx"),
                                   providers=["CPUExecutionProvider"])
    for name, png in pngs.items():
        # heif-convert 1.15 copies the EXIF block, stale Orientation and all, into its PNG: the
        # pixels are already oriented, so the EXIF is not applied (no exif_transpose here).
        arr = pipeline(Image.open(png).convert("RGB")).numpy().astype("<f4")
        if not embed:
            save_npy(os.path.join(ref, os.path.basename(name) + ".tensor.npy"), arr)
            continue
        stem = os.path.splitext(os.path.basename(name))[0]
        save_npy(os.path.join(ref, stem + ".tensor.npy"), arr)
        (emb,) = session.run(["embedding"], {"input": arr[None]})
        save_npy(os.path.join(ref, stem + ".tiny.npy"), emb[0])


def save_npy(path, arr):
    with open(path, "wb") as f:
        np.lib.format.write_array(f, np.ascontiguousarray(arr, dtype="<f4"), version=(1, 0),
                                  allow_pickle=False)


def phone_size(out, size, quality, source, tmp):
    """A phone-size picture from a sample photo (upscaled: the samples are at most 1024 wide) as
    an iPhone-style HEIC (512x512 tiles, irot, EXIF) and as an AVIF beside it."""
    w, h = (int(v) for v in size.split("x"))
    src = os.path.join(ROOT, "samples/images", source)
    im = ImageOps.exif_transpose(Image.open(src)).convert("RGB")
    scale = max(w / im.width, h / im.height)
    im = im.resize((round(im.width * scale), round(im.height * scale)), Image.BICUBIC)
    im = im.crop(((im.width - w) // 2, (im.height - h) // 2, (im.width - w) // 2 + w,
                  (im.height - h) // 2 + h))
    with open(out, "wb") as f:
        f.write(phone_heic(im, 512, quality, tmp, rotation=None, exif=1))
    stem = os.path.splitext(out)[0]
    im.save(stem + ".png")
    run(["avifenc", "-j", "1", "-s", "8", "--min", "24", "--max", "32", stem + ".png",
         stem + ".avif"])
    print(out, os.path.getsize(out), "bytes;", stem + ".avif", os.path.getsize(stem + ".avif"))


def write_readme(rows):
    lines = [
        "# HEIC and AVIF test files",
        "",
        "Made by `scripts/reference/make_heif.py` from the project's own test photos",
        "(`../../photos`, see NOTICE) with Debian 12's encoders: x265 through libheif 1.15's",
        "`heif-enc`, libaom through libavif 0.11's `avifenc`. The phone-layout files (grids,",
        "rotations) have their HEVC tiles encoded by `heif-enc` and their HEIF boxes written by",
        "the script, as heif-enc 1.15 writes neither. `manifest.json` has the same form as the",
        "corpus's: for each good file an 8x8 grid of mean colours of libheif's decode",
        "(`heif-convert`, which applies irot/imir; Pillow's AVIF decoder agrees), and of the",
        "stored pixels where a transform changes them; for each bad file the dead-letter reason.",
        "`CorpusDecodeTest` checks every file, `HeifDecoderTest` more, `BadInputITCase` runs the",
        "job over them. `reference/` holds torchvision reference tensors of two files for",
        "`HeifParityTest`.",
        "",
        "| file | expected | what it is |",
        "|---|---|---|",
    ]
    lines += [f"| `heif/{name}` | {expect} | {what} |" for name, expect, what in rows]
    lines.append("")
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
