"""Personal data at rest: the values of the fields a register declares ``personal_data`` are
stored encrypted (AES-256-GCM) under keys kept in a file outside the database.

A stored value reads ``fz1$<key id>$<base64url(nonce ‖ ciphertext ‖ tag)>``. The key id names the
key that wrote it, so that keys can be rotated: ``fazhi keys rotate`` adds a key, makes it the
current one and re-encrypts every value; ``fazhi keys retire ID`` drops an old key once no value
needs it. The authenticated data is the column (``enforcement.enforcementcase.party_name``) or,
for the values an event records, ``event.<field>``: a value moved to another column does not
decrypt. Blank values stay blank (a blank is not personal data, and "no ID number given" stays a
plain query).

A clerk finds a matter by a person's name: the search table holds, instead of the name, a keyed
digest (HMAC-SHA256 under the key file's index key) of the normalised value, so a search for the
whole name finds it by equality (search.py); a part of a name does not.

What this protects against, and what not (also in the README):

- protected: a copy of the database (a stolen disk, a dump, a backup, a replica, a database
  administrator's query) shows no name, ID number, phone number or address of a natural person in
  the registers, their events or the search table, unless the key file is taken with it;
- not protected: the running application holds the keys, so an attacker inside the application
  server, or anyone with a staff account that may see the record, reads the values (the access
  log records who did); documents issued to a party (their text and files) and text messages
  written by the development SMS backend hold names in clear; values typed into free-text
  fields (facts, remarks) are not recognised as personal data; equality of two encrypted values
  is not revealed, but the search digest reveals that two matters name the same person to whoever
  holds the database (not who).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact

PREFIX = "fz1$"
NONCE = 12
# The published development key ring: used only when no key file exists (the demo, the tests);
# a server others can reach refuses to start with it (fazhi/core/deploy.py).
DEV_KEY_ID = "dev"
_DEV_KEY = hashlib.sha256(b"fazhi dev-only field key: never use in production").digest()
_DEV_INDEX_KEY = hashlib.sha256(b"fazhi dev-only search index key: never use in production").digest()


class FieldKeyError(RuntimeError):
    """A stored value cannot be read: its key is not in the key file, or it was altered."""


class FieldKeyMissing(FieldKeyError):
    """The key a stored value names is not in the key file (the configuration, not the value)."""


@dataclass(frozen=True)
class KeyRing:
    current: str
    keys: dict[str, bytes]
    index_key: bytes
    path: Path | None = None
    ciphers: dict[str, AESGCM] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_development(self) -> bool:
        return self.path is None

    def cipher(self, key_id: str) -> AESGCM:
        c = self.ciphers.get(key_id)
        if c is None:
            key = self.keys.get(key_id)
            if key is None:
                raise FieldKeyMissing(f"个人信息加密密钥“{key_id}”不在密钥文件中，无法解密（请检查 FAZHI_FIELD_KEYS_FILE）")
            c = self.ciphers[key_id] = AESGCM(key)
        return c


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def keys_path() -> Path:
    return Path(settings.FAZHI_FIELD_KEYS_FILE)


def _load(path: Path) -> KeyRing:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        keys = {str(k): _unb64(v) for k, v in data["keys"].items()}
        ring = KeyRing(current=str(data["current"]), keys=keys, index_key=_unb64(data["index"]), path=path)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise FieldKeyError(f"个人信息加密密钥文件 {path} 无法读取：{exc}") from exc
    if ring.current not in ring.keys or any(len(k) != 32 for k in keys.values()) or len(ring.index_key) != 32:
        raise FieldKeyError(f"个人信息加密密钥文件 {path} 格式不正确（当前密钥须在 keys 中，每个密钥 32 字节）")
    return ring


@cache
def _ring_at(path: str, mtime_ns: int) -> KeyRing:
    return _load(Path(path))


_seen: dict[str, tuple[float, KeyRing]] = {}


def keyring() -> KeyRing:
    """The key file's ring, or the development ring without one. The file is looked at again at
    most once a second (a rotation by another process is seen; a page decrypting many values
    does not stat the file for each)."""
    name = str(settings.FAZHI_FIELD_KEYS_FILE)
    now = time.monotonic()
    seen = _seen.get(name)
    if seen and now - seen[0] < 1.0:
        return seen[1]
    try:
        ring = _ring_at(name, os.stat(name).st_mtime_ns)
    except FileNotFoundError:
        ring = _dev_ring()
    _seen[name] = (now, ring)
    return ring


def keyring_forget() -> None:
    """Read the key file again at the next use (after this process wrote it)."""
    _seen.clear()


@cache
def _dev_ring() -> KeyRing:
    return KeyRing(current=DEV_KEY_ID, keys={DEV_KEY_ID: _DEV_KEY}, index_key=_DEV_INDEX_KEY)


def keyring_write(path: Path, current: str, keys: dict[str, bytes], index_key: bytes) -> None:
    """Write a key file (mode 0600, replaced atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"current": current, "keys": {k: _b64(v) for k, v in keys.items()}, "index": _b64(index_key)}
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
    os.replace(tmp, path)
    keyring_forget()


def new_key_id(existing: dict[str, bytes]) -> str:
    from django.utils import timezone

    base = "k" + timezone.localdate().strftime("%Y%m%d")
    return base if base not in existing else f"{base}-{secrets.token_hex(2)}"


def new_key() -> bytes:
    return secrets.token_bytes(32)


# --- values ------------------------------------------------------------------------------------


def is_encrypted(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def key_id_of(value: str) -> str:
    return value[len(PREFIX) :].split("$", 1)[0]


def encrypt(value: str, context: str) -> str:
    """The stored form of a value (a blank stays blank). Always encrypts, even text that looks
    like a stored value: what a user types is never taken for ciphertext."""
    if value == "":
        return value
    ring = keyring()
    nonce = os.urandom(NONCE)
    sealed = ring.cipher(ring.current).encrypt(nonce, value.encode("utf-8"), context.encode("utf-8"))
    return f"{PREFIX}{ring.current}${_b64(nonce + sealed)}"


def decrypt(value: Any, context: str) -> Any:
    """The value of a stored form; a value not encrypted (written before encryption) as it is."""
    if not is_encrypted(value):
        return value
    try:
        key_id, data = value[len(PREFIX) :].split("$", 1)
        raw = _unb64(data)
    except ValueError as exc:
        raise FieldKeyError("个人信息的密文格式不正确，可能已被篡改") from exc
    try:
        return ring_decrypt(keyring(), key_id, raw, context)
    except InvalidTag as exc:
        raise FieldKeyError("个人信息的密文无法通过校验（密钥不符或已被篡改）") from exc


def ring_decrypt(ring: KeyRing, key_id: str, raw: bytes, context: str) -> str:
    return ring.cipher(key_id).decrypt(raw[:NONCE], raw[NONCE:], context.encode("utf-8")).decode("utf-8")


def index_normalise(value: str) -> str:
    """The form a digest is taken of: the search's normalisation (NFKC, case-folded) without any
    space ("张 伟" is "张伟", "Ｌｉ Ｌｅｉ" is "lilei")."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value).casefold().replace("|", " "))


def index_digest(value: str) -> str:
    """Keyed digest of a personal value for search by equality (hex, 128 bits)."""
    ring = keyring()
    return hmac.new(ring.index_key, index_normalise(value).encode("utf-8"), hashlib.sha256).hexdigest()[:32]


# --- fields ------------------------------------------------------------------------------------


class EncryptedMixin:
    """A text field whose non-blank values are stored encrypted. The column is text (the stored
    form is longer than ``max_length``, which still bounds what a form accepts). Only equality
    with the blank value can be queried: any other lookup would compare ciphertexts."""

    name: str
    model: Any

    def db_type(self, connection: Any) -> str | None:
        return models.TextField().db_type(connection)

    def cast_db_type(self, connection: Any) -> str | None:
        return models.TextField().cast_db_type(connection)

    @property
    def crypt_context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)  # type: ignore[misc]
        if value is None or value == "":
            return value
        return encrypt(value, self.crypt_context)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return decrypt(value, self.crypt_context)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return BlankExact
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)  # type: ignore[misc]
        raise FieldError(f"{self.name} is encrypted: no {lookup_name} lookup (search it through the search digests)")


class BlankExact(Exact):
    """``field=""``: the only equality an encrypted field answers (each encryption of a value
    differs: any other value would silently match nothing)."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None) and not hasattr(self.rhs, "resolve_expression"):
            raise FieldError(f"{self.lhs.target.name} is encrypted: it can be compared with the blank value only")
        return super().get_prep_lookup()


class EncryptedCharField(EncryptedMixin, models.CharField):
    description = "Encrypted text (personal data)"


class EncryptedEmailField(EncryptedMixin, models.EmailField):
    description = "Encrypted e-mail address (personal data)"


def encrypted_fields(model: type[models.Model]) -> list[Any]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]


def reencrypt_rows(model: Any, names: list[str], *, batch: int = 2000, progress: Any = None) -> int:
    """Write every row's encrypted fields again under the current key (after a rotation; or
    values written before encryption). Batch by batch, each in its own transaction, by primary
    key: an interrupted run is resumed by running it again (every key stays readable until retired)."""
    from django.db import transaction

    done, last = 0, None
    while True:
        qs = model._default_manager.order_by("pk")
        if last is not None:
            qs = qs.filter(pk__gt=last)
        rows = list(qs.values_list("pk", *names)[:batch])
        if not rows:
            return done
        objs = [model(pk=pk, **dict(zip(names, values, strict=True))) for pk, *values in rows]
        with transaction.atomic():
            model._default_manager.bulk_update(objs, names, batch_size=500)
        done += len(rows)
        last = rows[-1][0]
        if progress:
            progress(len(rows))
