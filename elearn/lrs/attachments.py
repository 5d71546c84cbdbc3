"""Attachments (Communication 1.5.2) and signed statements (Data 2.6).

multipart/mixed in and out: the first part holds the statements, each further part one
attachment's raw octets, matched to attachment objects by SHA-2 only. Signatures are JWS
compact serialisations whose payload must be the statement that carries them; when the JWS
header has an X.509 chain (x5c) the RSA signature is checked against the first certificate,
with the `cryptography` library (OpenSSL), after refusing keys that would cost too much to
use: over 4,096 bits or with an unusual public exponent.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from elearn.lrs.models import LrsAttachment
from elearn.lrs.validation import SIGNATURE_USAGE, Invalid, validate_statement
from elearn.tracking import keys as K
from elearn.tracking.compare import same_statement
from elearn.tracking.models import StatementKey, StoredStatement

SHA2 = {56: hashlib.sha224, 64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}
JWS_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "RS256": hashes.SHA256,
    "RS384": hashes.SHA384,
    "RS512": hashes.SHA512,
}
MAX_RSA_BITS = 4096
RSA_EXPONENTS = frozenset({3, 65537})


@dataclass(frozen=True)
class Part:
    content_type: str
    sha2: str
    content: bytes


def sha2_of(content: bytes, like: str) -> str:
    """The SHA-2 of `content` with the digest length the declared hash `like` has."""
    algorithm = SHA2.get(len(like), hashlib.sha256)
    return algorithm(content).hexdigest()


def _headers(block: bytes) -> dict[str, str]:
    out = {}
    for line in block.decode("utf-8", "replace").replace("\r\n", "\n").split("\n"):
        if ":" in line:
            name, _, value = line.partition(":")
            out[name.strip().lower()] = value.strip()
    return out


def boundary_of(content_type: str) -> str:
    for param in content_type.split(";")[1:]:
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "boundary":
            return value.strip().strip('"')
    raise Invalid("Content-Type", "multipart/mixed needs a boundary parameter", "RFC 2046")


def parse_multipart(body: bytes, content_type: str) -> tuple[bytes, list[Part]]:
    """The statements part's bytes and the attachment parts, each checked against its hash."""
    delim = b"--" + boundary_of(content_type).encode()
    start = body.find(delim)
    if start < 0:
        raise Invalid("body", "no multipart boundary found", "Communication 1.5.2")
    chunks: list[bytes] = []
    pos = start + len(delim)
    while body[pos : pos + 2] != b"--":
        eol = body.find(b"\n", pos)
        if eol < 0:
            raise Invalid("body", "a multipart part is cut off", "Communication 1.5.2")
        pos = eol + 1
        end = body.find(b"\r\n" + delim, pos)
        if end < 0:
            raise Invalid("body", "the multipart body has no closing boundary", "RFC 2046")
        chunks.append(body[pos:end])
        pos = end + 2 + len(delim)
    if not chunks:
        raise Invalid("body", "the multipart body has no parts", "Communication 1.5.2")
    heads = []
    for chunk in chunks:
        sep = chunk.find(b"\r\n\r\n")
        size = 4
        if sep < 0:
            sep, size = chunk.find(b"\n\n"), 2
        if sep < 0:
            heads.append(({}, chunk))
        else:
            heads.append((_headers(chunk[:sep]), chunk[sep + size :]))
    first_headers, statements = heads[0]
    first_type = first_headers.get("content-type", "").split(";")[0].strip().lower()
    if first_type != "application/json":
        raise Invalid(
            "multipart part 1",
            "the first part must hold the statements with Content-Type application/json",
            "Communication 1.5.2.s2.b2.b1",
        )
    parts = []
    for i, (headers, content) in enumerate(heads[1:], start=2):
        where = f"multipart part {i}"
        declared = headers.get("x-experience-api-hash")
        if not declared:
            raise Invalid(
                where, "needs an X-Experience-API-Hash header", "Communication 1.5.2.s2.b2.b3"
            )
        encoding = headers.get("content-transfer-encoding", "binary").lower()
        if encoding != "binary":
            raise Invalid(
                where, "Content-Transfer-Encoding must be binary", "Communication 1.5.2.s2.b2.b4"
            )
        if sha2_of(content, declared) != declared.lower():
            raise Invalid(
                where,
                "the data does not match its X-Experience-API-Hash (SHA-2)",
                "Communication 1.5.2.s1.b4",
            )
        parts.append(
            Part(headers.get("content-type", "application/octet-stream"), declared.lower(), content)
        )
    return statements, parts


def _all_attachments(statement: dict[str, Any]) -> list[dict[str, Any]]:
    out = list(statement.get("attachments") or [])
    obj = statement.get("object") or {}
    if obj.get("objectType") == "SubStatement":
        out += obj.get("attachments") or []
    return out


def check_attachments(
    statements: list[dict[str, Any]], parts: list[Part], multipart: bool
) -> dict[str, Part]:
    """Every attachment without a fileUrl has its data; every part belongs to an attachment."""
    by_hash = {p.sha2: p for p in parts}
    used: set[str] = set()
    for i, st in enumerate(statements):
        for j, att in enumerate(_all_attachments(st)):
            sha = att["sha2"].lower()
            if sha in by_hash:
                used.add(sha)
            elif "fileUrl" not in att:
                how = (
                    "no multipart part has this sha2" if multipart else "send it as multipart/mixed"
                )
                raise Invalid(
                    f"statements[{i}].attachments[{j}]",
                    f"has no fileUrl and no data: {how}",
                    "Communication 1.5.2.s3.b5",
                )
    unused = set(by_hash) - used
    if unused:
        raise Invalid(
            "multipart",
            f"a part (sha2 {sorted(unused)[0]}) belongs to no attachment",
            "Communication 1.5.2",
        )
    return by_hash


def _b64url(text: str, what: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise Invalid("signature", f"the JWS {what} is not base64url", "Data 2.6") from exc


def check_signatures(statements: list[dict[str, Any]], parts: dict[str, Part]) -> None:
    """Data 2.6.s5: decode each JWS, compare its payload, verify against x5c when present."""
    for i, st in enumerate(statements):
        for j, att in enumerate(st.get("attachments") or []):
            if att["usageType"] != SIGNATURE_USAGE:
                continue
            where = f"statements[{i}].attachments[{j}]"
            if att["contentType"].split(";")[0].strip() != "application/octet-stream":
                raise Invalid(
                    f"{where}.contentType",
                    "a signature's contentType must be application/octet-stream",
                    "Data 2.6.s4.b1",
                )
            part = parts.get(att["sha2"].lower())
            if part is None:
                continue  # only a fileUrl: nothing here to check
            verify_jws(part.content, st, where)


def verify_jws(raw: bytes, statement: dict[str, Any], where: str) -> None:
    try:
        segments = raw.decode("ascii").strip().split(".")
    except UnicodeDecodeError as exc:
        raise Invalid(
            where, "the signature is not a JWS compact serialisation", "Data 2.6"
        ) from exc
    if len(segments) != 3:
        raise Invalid(
            where,
            "the signature is not a JWS compact serialisation (header.payload.signature)",
            "Data 2.6",
        )
    try:
        header = json.loads(_b64url(segments[0], "header"))
        payload = json.loads(_b64url(segments[1], "payload"))
    except ValueError as exc:
        raise Invalid(where, "the JWS header or payload is not JSON", "Data 2.6") from exc
    alg = header.get("alg") if isinstance(header, dict) else None
    if alg not in JWS_HASHES:
        raise Invalid(
            where, f"the JWS algorithm must be RS256, RS384 or RS512, got {alg!r}", "Data 2.6.s4.b4"
        )
    try:
        validate_statement(payload, "signature payload")
    except Invalid as exc:
        raise Invalid(
            where, f"the JWS payload is not a valid statement: {exc}", "Data 2.6.s4.b3"
        ) from exc
    if not same_statement(payload, statement, ignore_id="id" not in payload):
        raise Invalid(
            where, "the JWS payload differs from the statement it signs", "Data 2.6.s5.b3.b2"
        )
    chain = header.get("x5c")
    if chain:
        signed = f"{segments[0]}.{segments[1]}".encode("ascii")
        verify_rsa(chain, signed, _b64url(segments[2], "signature"), alg, where)


def _certificate_key(chain: Any, where: str) -> rsa.RSAPublicKey:
    """The RSA public key of the first x5c certificate, if it is one this LRS checks."""
    try:
        if not isinstance(chain, list) or not isinstance(chain[0], str):
            raise ValueError("x5c must be an array of base64 DER certificates")
        certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0], validate=True))
        key = certificate.public_key()
    except (ValueError, IndexError, TypeError, binascii.Error) as exc:
        raise Invalid(where, "the x5c certificate cannot be read", "Data 2.6.s5.b3.b3") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise Invalid(where, "the x5c certificate's key is not an RSA key", "Data 2.6.s4.b4")
    # Verifying costs grow with the cube of the key size: a 16,384-bit key took seconds of CPU.
    if key.key_size > MAX_RSA_BITS:
        raise Invalid(
            where,
            f"the x5c certificate's RSA key has {key.key_size} bits; this LRS accepts at most "
            f"{MAX_RSA_BITS}",
            "Data 2.6",
        )
    exponent = key.public_numbers().e
    if exponent not in RSA_EXPONENTS:
        raise Invalid(
            where,
            f"the x5c certificate's RSA public exponent {exponent} is not one this LRS accepts "
            f"({', '.join(map(str, sorted(RSA_EXPONENTS)))})",
            "Data 2.6",
        )
    return key


def verify_rsa(chain: Any, signed: bytes, signature: bytes, alg: str, where: str) -> None:
    """RSASSA-PKCS1-v1_5 (RFC 7518 3.3) against the first x5c certificate, by `cryptography`."""
    key = _certificate_key(chain, where)
    try:
        key.verify(signature, signed, padding.PKCS1v15(), JWS_HASHES[alg]())
    except InvalidSignature as exc:
        raise Invalid(
            where,
            "the JWS signature does not verify against the x5c certificate",
            "Data 2.6.s5.b3.b3",
        ) from exc


# -- storage and the multipart response -----------------------------------------------------
def store_parts(session: Session, parts: Iterable[Part]) -> None:
    """Raw data once per hash; a hash already stored is the same data."""
    for part in parts:
        if session.get(LrsAttachment, part.sha2) is not None:
            continue
        try:
            with session.begin_nested():
                session.add(
                    LrsAttachment(
                        sha2=part.sha2, content_type=part.content_type, content=part.content
                    )
                )
        except IntegrityError:
            pass  # stored by a concurrent request: same hash, same data


def readable_hashes(
    statements: list[dict[str, Any]], session: Session, visible: Callable[[Any], Any]
) -> set[str]:
    """The attachment data the reader of these statements may have: data a statement it can
    see brought with it. An attachment without a fileUrl always came with its data; one with
    a fileUrl names a hash that may be anyone's, so its data is served only when a statement
    the reader can see brought it (`ATTACHMENT_DATA` keys), never found by its SHA-2 alone."""
    with_data, by_url = set(), set()
    for st in statements:
        for a in _all_attachments(st):
            (by_url if "fileUrl" in a else with_data).add(a["sha2"].lower())
    by_url -= with_data
    if by_url:
        keys = {K.attachment_data_key(sha)[1]: sha for sha in by_url}
        query = (
            select(StatementKey.key)
            .join(StoredStatement, StoredStatement.seq == StatementKey.seq)
            .where(StatementKey.kind == K.ATTACHMENT_DATA, StatementKey.key.in_(keys))
            .distinct()
        )
        with_data |= {keys[k] for k in session.scalars(visible(query))}
    return with_data


def multipart_response(
    document: bytes,
    statements: list[dict[str, Any]],
    session: Session,
    visible: Callable[[Any], Any],
) -> tuple[bytes, str]:
    """The statement(s) followed by the data of the attachments the reader may have."""
    wanted = readable_hashes(statements, session, visible)
    rows = (
        session.scalars(select(LrsAttachment).where(LrsAttachment.sha2.in_(wanted)))
        if wanted
        else []
    )
    boundary = uuid.uuid4().hex
    out = [f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(), document]
    for row in rows:
        out.append(
            f"\r\n--{boundary}\r\nContent-Type: {row.content_type}\r\n"
            f"Content-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {row.sha2}\r\n\r\n".encode()
        )
        out.append(row.content)
    out.append(f"\r\n--{boundary}--\r\n".encode())
    return b"".join(out), f'multipart/mixed; boundary="{boundary}"'
