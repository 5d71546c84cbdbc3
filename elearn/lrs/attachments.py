"""Attachments (Communication 1.5.2) and signed statements (Data 2.6).

multipart/mixed in and out: the first part holds the statements, each further part one
attachment's raw octets, matched to attachment objects by SHA-2 only. Signatures are JWS
compact serialisations whose payload must be the statement that carries them; when the JWS
header has an X.509 chain (x5c) the RSA signature is checked against the first certificate.
RSA verification (RSASSA-PKCS1-v1_5) is a few lines of integer arithmetic, so no crypto
library is needed for it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from elearn.lrs.models import LrsAttachment
from elearn.lrs.validation import SIGNATURE_USAGE, Invalid, validate_statement
from elearn.tracking.compare import same_statement

SHA2 = {56: hashlib.sha224, 64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}
JWS_HASHES = {"RS256": hashlib.sha256, "RS384": hashlib.sha384, "RS512": hashlib.sha512}
DIGEST_INFO = {
    "RS256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "RS384": bytes.fromhex("3041300d060960864801650304020205000430"),
    "RS512": bytes.fromhex("3051300d060960864801650304020305000440"),
}


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
        try:
            modulus, exponent = rsa_public_key(base64.b64decode(chain[0]))
        except (ValueError, IndexError, TypeError, binascii.Error) as exc:
            raise Invalid(where, "the x5c certificate cannot be read", "Data 2.6.s5.b3.b3") from exc
        signed = f"{segments[0]}.{segments[1]}".encode("ascii")
        if not rsa_verify(signed, _b64url(segments[2], "signature"), modulus, exponent, alg):
            raise Invalid(
                where,
                "the JWS signature does not verify against the x5c certificate",
                "Data 2.6.s5.b3.b3",
            )


# -- a minimal DER reader: enough to find an X.509 certificate's RSA public key ---------------
def _tlv(data: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, start of content, end of content) of the DER element at `pos`."""
    tag = data[pos]
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > len(data):
        raise ValueError("DER element runs past the end")
    return tag, pos, pos + length


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    out = []
    while start < end:
        tag, cstart, cend = _tlv(data, start)
        out.append((tag, cstart, cend))
        start = cend
    return out


def rsa_public_key(der: bytes) -> tuple[int, int]:
    """(modulus, exponent) from a DER X.509 certificate with an RSA key."""
    _, cs, ce = _tlv(der, 0)
    tbs = _children(der, cs, ce)[0]
    fields = _children(der, tbs[1], tbs[2])
    if fields[0][0] == 0xA0:  # explicit version
        fields = fields[1:]
    _, ks, ke = fields[5]  # serial, signature, issuer, validity, subject, subjectPublicKeyInfo
    bit_string = _children(der, ks, ke)[1]
    key = der[bit_string[1] + 1 : bit_string[2]]  # skip the unused-bits byte
    _, s, e = _tlv(key, 0)
    n_el, e_el = _children(key, s, e)[:2]
    return int.from_bytes(key[n_el[1] : n_el[2]], "big"), int.from_bytes(
        key[e_el[1] : e_el[2]], "big"
    )


def rsa_verify(message: bytes, signature: bytes, modulus: int, exponent: int, alg: str) -> bool:
    """RSASSA-PKCS1-v1_5 (RFC 8017 8.2.2) with the JWS algorithm's hash."""
    size = (modulus.bit_length() + 7) // 8
    if len(signature) != size:
        return False
    encoded = pow(int.from_bytes(signature, "big"), exponent, modulus).to_bytes(size, "big")
    digest = DIGEST_INFO[alg] + JWS_HASHES[alg](message).digest()
    expected = b"\x00\x01" + b"\xff" * (size - len(digest) - 3) + b"\x00" + digest
    return encoded == expected


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


def multipart_response(
    document: bytes, statements: list[dict[str, Any]], session: Session
) -> tuple[bytes, str]:
    """The statement(s) followed by the data of every attachment they reference that is stored."""
    wanted = {a["sha2"].lower() for st in statements for a in _all_attachments(st)}
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
