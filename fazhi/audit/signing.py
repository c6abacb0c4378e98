"""Signed checkpoints in the C2SP ``tlog-checkpoint`` / ``signed-note`` format (Ed25519).

A checkpoint note is::

    <origin>
    <tree size>
    <base64 root hash>
    <extension lines: the time it was taken>

    — <key name> <base64(4-byte key id || 64-byte Ed25519 signature)>

the format of Certificate Transparency's successors (Go's checksum database, Sigstore's Rekor,
the C2SP witness network), so that any tool that reads those can check ours. The signature is
over the text before the blank line. The key id is the first 4 bytes of
SHA-256(key name || "\\n" || 0x01 || public key), the signed-note rule for Ed25519.

The private key lives in a file outside the database (``FAZHI_CHECKPOINT_KEY_FILE``): someone who
can rewrite the database cannot sign a checkpoint for the rewritten log. Its public half is
published (the portal's 全过程记录 page) as a signed-note verifier key
``<name>+<key id hex>+<base64(0x01 || public key)>``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

ALG_ED25519 = b"\x01"


class NoteError(Exception):
    """A checkpoint note that cannot be read or whose signature does not hold (message in Chinese)."""


@dataclass(frozen=True)
class Note:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...]
    key_name: str
    key_id: bytes
    signature: bytes

    @property
    def body(self) -> bytes:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode("ascii"), *self.extensions]
        return ("\n".join(lines) + "\n").encode("utf-8")


def key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + ALG_ED25519 + public).digest()[:4]


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_generate(path: Path) -> None:
    """Write a new private key (PEM, PKCS#8), readable by its owner only; never overwrite one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)


def key_name() -> str:
    return str(settings.FAZHI_LOG_ORIGIN)


def private_key() -> Ed25519PrivateKey | None:
    path = Path(settings.FAZHI_CHECKPOINT_KEY_FILE)
    if not path.is_file():
        return None
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise NoteError(f"签名密钥不是 Ed25519 密钥：{path}")
    return key


def verifier_key() -> str | None:
    """The public key as a signed-note verifier key string, or None when no key is configured."""
    key = private_key()
    if key is None:
        return None
    public = _raw_public(key.public_key())
    return f"{key_name()}+{key_id(key_name(), public).hex()}+{base64.b64encode(ALG_ED25519 + public).decode('ascii')}"


def verifier_parse(text: str) -> tuple[str, bytes, Ed25519PublicKey]:
    try:
        name, hexid, b64 = text.strip().split("+", 2)  # base64 itself may contain "+"
        raw = base64.b64decode(b64, validate=True)
    except ValueError as exc:
        raise NoteError("公钥格式不正确：应为“名称+密钥编号+公钥”") from exc
    if raw[:1] != ALG_ED25519 or len(raw) != 33:
        raise NoteError("公钥不是 Ed25519 公钥")
    if key_id(name, raw[1:]).hex() != hexid:
        raise NoteError("公钥的密钥编号与公钥不符")
    return name, bytes.fromhex(hexid), Ed25519PublicKey.from_public_bytes(raw[1:])


def note_sign(*, size: int, root: bytes, taken_at: dt.datetime) -> str | None:
    """The signed checkpoint note, or None when no signing key is configured."""
    key = private_key()
    if key is None:
        return None
    name = key_name()
    public = _raw_public(key.public_key())
    body = Note(name, size, root, (f"time {taken_at.isoformat()}",), name, b"", b"").body
    sig = key.sign(body)
    return body.decode("utf-8") + "\n" + f"— {name} {base64.b64encode(key_id(name, public) + sig).decode('ascii')}\n"


def note_current(text: str) -> bool:
    """Whether a stored note is what `note_sign` would give now: signed by this site's current key
    (after a key rotation, a note of the old key is not), or anything when no key is configured."""
    key = private_key()
    if key is None:
        return True
    try:
        note = note_parse(text)
    except NoteError:  # also the empty note of a checkpoint taken while no key was configured
        return False
    name = key_name()
    return note.key_name == name and note.key_id == key_id(name, _raw_public(key.public_key()))


def note_parse(text: str) -> Note:
    head, sep, sigs = text.partition("\n\n")
    if not sep:
        raise NoteError("检查点文件格式不正确：缺少签名部分")
    lines = head.split("\n")
    if len(lines) < 3:
        raise NoteError("检查点文件格式不正确：应有来源、大小、根哈希三行")
    try:
        size = int(lines[1])
        root = base64.b64decode(lines[2], validate=True)
    except ValueError as exc:
        raise NoteError("检查点文件格式不正确：大小或根哈希无法读取") from exc
    if size < 0 or len(root) != 32:
        raise NoteError("检查点文件格式不正确：大小或根哈希无效")
    for line in sigs.strip("\n").split("\n"):
        parts = line.split(" ")
        if len(parts) == 3 and parts[0] == "—":
            blob = base64.b64decode(parts[2])
            return Note(lines[0], size, root, tuple(lines[3:]), parts[1], blob[:4], blob[4:])
    raise NoteError("检查点文件没有签名")


def retired_file() -> Path:
    """The public halves of the signing keys used before a rotation (beside the key file), one
    ``<verifier key> <log size>`` line each: the size is the last tree that key signed."""
    return Path(str(settings.FAZHI_CHECKPOINT_KEY_FILE) + ".retired")


def retired_keys() -> list[tuple[str, int]]:
    path = retired_file()
    if not path.is_file():
        return []
    keys = []
    for line in path.read_text(encoding="utf-8").splitlines():
        verifier, _, size = line.strip().rpartition(" ")
        if verifier and not line.startswith("#"):
            keys.append((verifier, int(size)))
    return keys


def key_rotate(signed_up_to: int) -> str:
    """Replace the signing key with a new one. The old key's public half is kept in
    `retired_file` with the last tree size it signed (its checkpoints stay verifiable; one it
    signed for a larger tree is then a forgery), and the old private key is gone. Returns the new
    verifier key."""
    path = Path(settings.FAZHI_CHECKPOINT_KEY_FILE)
    old = verifier_key()
    if old is None:
        raise NoteError("尚未配置签名密钥，无需轮换：请先执行 fazhi audit keygen")
    fresh = path.with_name(path.name + ".new")
    fresh.unlink(missing_ok=True)
    key_generate(fresh)
    with open(retired_file(), "a", encoding="utf-8") as fh:
        fh.write(f"{old} {signed_up_to}\n")
    os.replace(fresh, path)
    new = verifier_key()
    assert new is not None
    return new


def note_verify(text: str, verifier: str | None = None) -> Note:
    """Parse a note and check its signature against the verifier key. Without one: this site's
    keys, the current one and those retired by a rotation (a retired key only up to the tree size
    it last signed)."""
    if verifier is not None:
        return _note_verify_with(text, verifier)
    current = verifier_key()
    known: list[tuple[str, int | None]] = [*([(current, None)] if current else []), *retired_keys()]
    if not known:
        raise NoteError("未配置签名密钥，也未提供公钥，无法核验检查点签名")
    note = note_parse(text)
    for candidate, last_size in known:
        name, kid, _public = verifier_parse(candidate)
        if (note.key_name, note.key_id) == (name, kid):
            _note_verify_with(text, candidate)
            if last_size is not None and note.size > last_size:
                raise NoteError(f"检查点由已停用的密钥签名，但该密钥停用前只签到大小 {last_size}（停用后出现的签名为伪造）")
            return note
    return _note_verify_with(text, known[0][0])  # none matches: says which key signed it


def _note_verify_with(text: str, verifier: str) -> Note:
    name, kid, public = verifier_parse(verifier)
    note = note_parse(text)
    if note.key_name != name or note.key_id != kid:
        raise NoteError(f"检查点由另一把密钥（{note.key_name}）签名，不是本日志的密钥")
    try:
        public.verify(note.signature, note.body)
    except InvalidSignature as exc:
        raise NoteError("检查点签名无效：文件内容被改动或签名伪造") from exc
    return note


def text_sign(lines: list[str]) -> str | None:
    """A signed note over arbitrary lines (an export's manifest digest), with the log's key and
    in the checkpoints' format; None when no signing key is configured."""
    key = private_key()
    if key is None:
        return None
    name = key_name()
    body = ("\n".join(lines) + "\n").encode("utf-8")
    sig = key.sign(body)
    return body.decode("utf-8") + "\n" + f"— {name} {base64.b64encode(key_id(name, _raw_public(key.public_key())) + sig).decode('ascii')}\n"


def text_verify(text: str, verifier: str) -> list[str]:
    """The lines of a note made by ``text_sign``, once its signature holds for ``verifier``."""
    name, kid, public = verifier_parse(verifier)
    head, sep, sigs = text.partition("\n\n")
    if not sep:
        raise NoteError("签名文件格式不正确：缺少签名部分")
    for line in sigs.strip("\n").split("\n"):
        parts = line.split(" ")
        if len(parts) == 3 and parts[0] == "—" and parts[1] == name:
            try:
                blob = base64.b64decode(parts[2], validate=True)
            except ValueError as exc:
                raise NoteError("签名无法读取") from exc
            if blob[:4] != kid:
                continue
            try:
                public.verify(blob[4:], (head + "\n").encode("utf-8"))
            except InvalidSignature as exc:
                raise NoteError("签名无效：内容被改动或签名伪造") from exc
            return head.split("\n")
    raise NoteError(f"没有该公钥（{name}）的签名")
